"""A synthetic national register and its rounds of returns, in bulk (surveys/generate.py)."""

import time

from django.core.management.base import BaseCommand, CommandError

from surveys.generate import Shape, ShapeError, generate
from surveys.management.commands.load_2017_round import system_user


class Command(BaseCommand):
    help = (
        "Generate a synthetic national register (regions, ICBs, units with plausible names and "
        "codes) and realistic returns for every unit in every round: every section filled, "
        "child rows, answers that change from round to round, each round after the first "
        "prefilled from the one before. Every round but the last is published with every return "
        "accepted; the last is open, its returns in a spread of states (a single round is "
        "published; --last-open or --last-published to choose). The register already in the "
        "database (London's region, 5 STP footprints and 32 boroughs) stays and counts towards "
        "the shape; the rest is added. Needs a database without rounds (use a new database, "
        "not the one `make run` loads). The same seed, shape and day give the same data. "
        "Example: generate_data --units 1250 --rounds 4 --seed 1"
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=1250, help="units in the register")
        parser.add_argument("--regions", type=int, default=7)
        parser.add_argument("--icbs", type=int, default=42, help="ICB or STP footprints")
        parser.add_argument("--rounds", type=int, default=4)
        parser.add_argument("--seed", type=int, default=1)
        last = parser.add_mutually_exclusive_group()
        last.add_argument("--last-open", dest="last_open", action="store_true", default=None)
        last.add_argument("--last-published", dest="last_open", action="store_false")
        parser.add_argument(
            "--toolkit",
            action="store_true",
            help="every round uses the self-assessment toolkit (Section 11 in every return)",
        )

    def handle(self, *args, **options):
        shape = Shape(
            units=options["units"],
            regions=options["regions"],
            icbs=options["icbs"],
            rounds=options["rounds"],
            seed=options["seed"],
            last_round_open=options["last_open"],
            toolkit=options["toolkit"],
        )
        started = time.perf_counter()
        try:
            result = generate(shape, by=system_user(), log=self.stdout.write)
        except ShapeError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {result.returns:,} returns and {result.rows:,} child rows in "
                f"{len(result.rounds)} round{'s' if len(result.rounds) != 1 else ''} in "
                f"{time.perf_counter() - started:.0f} s."
            )
        )
