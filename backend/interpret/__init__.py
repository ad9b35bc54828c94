"""Reading a reporter's reply against the question it answers (DESIGN.md, "Understanding replies")."""
