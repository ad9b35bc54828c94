"""What the assistant says: one catalogue of wording (catalogue.yml) keyed by message, audience and
medium, the structured messages the actions send (message.py) and their rendering per medium (render.py).
Plain Python and YAML, so the action server, the Rasa server's channels and the backend's tests share it."""
