"""What a lab's backend can do: a few AWS features some control planes lack, probed once per lab.

LocalStack's free edition has no Cognito, X-Ray, GetUsage or FlushStageCache, and its Step Functions
and Firehose fail on Python 3.11 (shared/reference/localstack-recipe.md). A notebook asks
`lab.supports(feature)` before a cell that needs one, and on such a backend prints one sentence
instead of failing. moto in-process has them all (the kit completes moto where it must).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

# feature -> (the service its probe calls, the probe, what a learner reads when it is missing); a probe
# that raises a "not implemented" error (see `missing`) or returns False means the feature is missing.
Probe = Callable[[Any], Any]
_DAY = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)


def exact_dimensions(cloudwatch: Any) -> bool:
    """Does a metric query match only the dimension set it names, as CloudWatch does? (LocalStack's
    returns every series whose dimensions include the named ones.) Writes one datapoint to a probe namespace.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension:
    "CloudWatch treats each unique combination of dimensions as a separate metric"."""
    now = datetime.datetime.now(datetime.timezone.utc)
    cloudwatch.put_metric_data(Namespace="labkit/capability-probe", MetricData=[{
        "MetricName": "Probe", "Value": 1, "Timestamp": now,
        "Dimensions": [{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}]}])
    found = cloudwatch.get_metric_statistics(
        Namespace="labkit/capability-probe", MetricName="Probe", Dimensions=[{"Name": "A", "Value": "1"}],
        StartTime=now - datetime.timedelta(minutes=5), EndTime=now + datetime.timedelta(minutes=5), Period=60,
        Statistics=["SampleCount"])["Datapoints"]
    return not found


FEATURES: dict[str, tuple[str, Probe, str]] = {
    "stepfunctions": ("stepfunctions", lambda c: c.list_state_machines(maxResults=1), "Step Functions"),
    "firehose": ("firehose", lambda c: c.list_delivery_streams(Limit=1), "Kinesis Data Firehose"),
    "cognito": ("cognito-idp", lambda c: c.list_user_pools(MaxResults=1), "Amazon Cognito user pools"),
    "xray": ("xray", lambda c: c.get_trace_summaries(StartTime=_DAY, EndTime=_DAY), "AWS X-Ray"),
    "get-usage": ("apigateway", lambda c: c.get_usage(usagePlanId="labkit-probe", startDate="2026-01-01",
                                                      endDate="2026-01-01"), "API Gateway GetUsage"),
    "flush-stage-cache": ("apigateway", lambda c: c.flush_stage_cache(restApiId="labkit-probe", stageName="probe"),
                          "API Gateway FlushStageCache"),
    "exact-metric-dimensions": ("cloudwatch", exact_dimensions,
                                "exact dimension matching in CloudWatch metric queries (it adds up every series "
                                "that has the dimensions asked for)"),
}


def missing(error: ClientError) -> bool:
    """Does this error say the backend does not implement the call (rather than that the call was wrong)?

    LocalStack answers 501 InternalFailure for what it does not emulate, and 500 InternalError for a
    service that fails to start; AWS answers 4xx to a probe with unknown ids (the feature exists). A
    plain moto server answers a route it lacks with its web framework's HTML 404 or 405: no AWS error
    type at all, so botocore's code is the bare status number.
    """
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    code = error.response.get("Error", {}).get("Code", "")
    return status == 501 or code in ("InternalFailure", "InternalError", "NotImplemented", "404", "405")


class Capabilities:
    """Answers `supports(feature)` for one lab, probing each feature at most once."""

    def __init__(self, client: Callable[[str], Any], backend_name: str, probe: bool = True) -> None:
        """`probe=False`: the backend is known to have every feature (moto in-process)."""
        self._client = client
        self.backend_name = backend_name
        self._probe = probe
        self._known: dict[str, bool] = {}
        self._said: set[str] = set()

    def supports(self, feature: str, *, say: bool = True) -> bool:
        """True when the backend has `feature`; otherwise False, and (with `say`) the first time one
        sentence saying so."""
        if feature not in FEATURES:
            raise ValueError(f"feature must be one of {', '.join(sorted(FEATURES))}, got {feature!r}")
        if feature not in self._known:
            self._known[feature] = self._check(feature)
        if not self._known[feature] and say and feature not in self._said:
            self._said.add(feature)
            print(self.note(feature))
        return self._known[feature]

    def note(self, feature: str) -> str:
        """The sentence a notebook prints when `feature` is missing."""
        return (f"{self.backend_name} has no {FEATURES[feature][2]}, so the steps that need it are skipped "
                "here; on moto and on AWS they run.")

    def _check(self, feature: str) -> bool:
        if not self._probe:
            return True
        service, call, _ = FEATURES[feature]
        try:
            return call(self._client(service)) is not False
        except ClientError as error:
            return not missing(error)

    def close(self) -> None:
        """Forget what was probed and said."""
        self._known.clear()
        self._said.clear()
