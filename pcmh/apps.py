from django.apps import AppConfig


class PcmhConfig(AppConfig):
    name = "pcmh"
    verbose_name = "PCMH Returns site"

    def ready(self):
        from pcmh import security_log  # noqa: F401 - connects the signal receivers
