"""A TwiML voice answer as the caller experiences it: what is said, whether it listens, whether it hangs up.
Shared by the voice channel's unit and end-to-end tests (standard library only: both venvs import it)."""

from __future__ import annotations

import xml.etree.ElementTree as ET


class Heard:
    def __init__(self, status: int, xml: str) -> None:
        self.status, self.xml = status, xml
        self.body = xml
        self.root = ET.fromstring(xml) if status == 200 and xml else None

    @property
    def text(self) -> str:
        return " ".join(s.text or "" for s in self.root.iter("Say"))

    @property
    def gather(self) -> ET.Element | None:
        return self.root.find("Gather")

    @property
    def hung_up(self) -> bool:
        return self.root.find("Hangup") is not None
