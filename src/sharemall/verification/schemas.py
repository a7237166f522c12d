from datetime import datetime

from ninja import Schema


class SandboxSmsOut(Schema):
    code: str
    purpose: str
    sent_at: datetime
