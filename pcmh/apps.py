from django.apps import AppConfig


class PcmhConfig(AppConfig):
    name = "pcmh"
    verbose_name = "PCMH Returns site"

    def ready(self):
        from pcmh import middleware, security_log  # noqa: F401 - connect the signal receivers
