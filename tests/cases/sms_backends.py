"""SMS backends for tests: one that keeps what it was given, one whose gateway is down."""

SENT: list[tuple[str, str]] = []


class KeepingSmsBackend:
    def send_sms(self, to: str, text: str) -> None:
        SENT.append((to, text))


class BrokenSmsBackend:
    def send_sms(self, to: str, text: str) -> None:
        raise ConnectionError("The SMS gateway did not answer.")
