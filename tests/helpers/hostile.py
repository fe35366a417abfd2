"""Random and hostile values for the forms and imports, and how many of them each test tries."""

import string

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

HOSTILE = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=string.printable + "\x00\u202e\ufeff€£💥", min_size=1, max_size=300),
    st.integers(min_value=10001, max_value=30000).map(lambda n: "x" * n),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "'; DROP TABLE surveys_scopingreturn; --",
            "=1+1",
            "\x00",
            "-1",
            "1e308",
            "NaN",
            "Infinity",
            "99999999999999999999999",
            "0.0001",
            "17.5",
            "",
            " ",
            "yes",
            "maybe",
            "../../etc/passwd",
            "%s%s%s",
            "{{ 7*7 }}",
            "a@b",
            "2017/18",
            "<img src=x onerror=alert(1)>",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
HYPOTHESIS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
