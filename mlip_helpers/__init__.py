"""Small helpers that the mlip lecture and assignment notebooks import.

Each submodule holds one concern and names, in its docstrings, the lecture
notebook that introduces it:

- :mod:`~mlip_helpers.datasets` and :mod:`~mlip_helpers.textdata`: seeded
  synthetic data with planted truth, templated text, offline real data;
- :mod:`~mlip_helpers.evaluation`, :mod:`~mlip_helpers.confusion` and
  :mod:`~mlip_helpers.baselines`: metrics written out in numpy, baselines;
- :mod:`~mlip_helpers.measurement`: operationalisations, shortcut learning, verification and validation;
- :mod:`~mlip_helpers.slicing`: metrics per slice with support and intervals;
- :mod:`~mlip_helpers.invariants`: invariance, directional and capability tests;
- :mod:`~mlip_helpers.testdesign`: a simulator with known truth, specification-based cases, coverage, test suites;
- :mod:`~mlip_helpers.systems`, :mod:`~mlip_helpers.systems_thinking`, :mod:`~mlip_helpers.requirements`,
  :mod:`~mlip_helpers.elicitation`: a model inside a product, feedback loops, specs vs examples, T-shaped teams,
  requirements turned into system outcomes, elicitation and its cost;
- :mod:`~mlip_helpers.faulttree`, :mod:`~mlip_helpers.fmea` and :mod:`~mlip_helpers.mistakes`: fault trees, cut
  sets, FMEA, HAZOP guide words and mitigations measured on a model's mistakes;
- :mod:`~mlip_helpers.tradeoffs` and :mod:`~mlip_helpers.components`: quality attributes of model choices and
  Pareto fronts, models hidden behind interfaces, the common components of an ML system;
- :mod:`~mlip_helpers.serving`, :mod:`~mlip_helpers.experiments`, :mod:`~mlip_helpers.dataquality` and
  :mod:`~mlip_helpers.pipelines`: deployment, testing in production, data quality and pipeline tests;
- :mod:`~mlip_helpers.patterns`, :mod:`~mlip_helpers.fieldtests`, :mod:`~mlip_helpers.datasheets`,
  :mod:`~mlip_helpers.repair` and :mod:`~mlip_helpers.pipeline_review`: guardrails, undeclared consumers and
  business rules outside the model, chaos experiments and beta tests, computed datasheets and data repair, test
  doubles, static checks of pipeline code and the ML Test Score;
- :mod:`~mlip_helpers.scaling`, :mod:`~mlip_helpers.eventlog`, :mod:`~mlip_helpers.operations`,
  :mod:`~mlip_helpers.versioning`, :mod:`~mlip_helpers.provenance` and :mod:`~mlip_helpers.debt`: map-reduce and
  event sourcing, SLOs and alerts, data versions and audit logs, technical debt found in code;
- :mod:`~mlip_helpers.datamodels`, :mod:`~mlip_helpers.devops` and :mod:`~mlip_helpers.process`: one workload in
  three data models, lock files, a changed default, a cached pipeline and culture, process models and the debt
  quadrant from evidence;
- :mod:`~mlip_helpers.bias`, :mod:`~mlip_helpers.responsible`, :mod:`~mlip_helpers.fairness`,
  :mod:`~mlip_helpers.fairlaw`, :mod:`~mlip_helpers.fairgoals` and :mod:`~mlip_helpers.explain`: sources of
  bias simulated with planted effects, objectives, liability and proxies of protected classes, fairness measures,
  equity and the four-fifths rule, interventions and mitigations, explanations and their fidelity;
- :mod:`~mlip_helpers.accountability`, :mod:`~mlip_helpers.safety`, :mod:`~mlip_helpers.security`,
  :mod:`~mlip_helpers.privacy`, :mod:`~mlip_helpers.teams` and :mod:`~mlip_helpers.recommend`: gaming and audit
  trails, robustness and guardrails, attacks and privacy, team communication, the course project's recommender;
- :mod:`~mlip_helpers.overtrust`, :mod:`~mlip_helpers.governance`, :mod:`~mlip_helpers.hazards` and
  :mod:`~mlip_helpers.attacks`: over-trust in explained models, reliance and compliance checked against evidence,
  hazard analysis of a simulated system, blast radius, model inversion and targeted poisoning;
- :mod:`~mlip_helpers.conflicts`: groupthink, social loafing, frustrations in team records, a team policy;
- :mod:`~mlip_helpers.reflection`: the future of the roles: a small AutoML search, a learned rule tested like
  code (Software 2.0), the course's lectures mapped to the roles that need them;
- :mod:`~mlip_helpers.checker` and :mod:`~mlip_helpers.exercises`: the one exercise API (kinds ``number``,
  ``count``, ``id``, ``choice``, ``set``, ``list`` and build-it ``code`` exercises run on hidden cases), declared
  by each lecture's module and found by :func:`~mlip_helpers.exercises.lectures`; :func:`check` is available at
  the top level;
- :mod:`~mlip_helpers.claims`: :func:`~mlip_helpers.claims.claim`, a lecture's sentence about its own numbers,
  printed with a tick when this run's data bear it out and raising when they do not;
- :mod:`~mlip_helpers.errors`: the one error hierarchy.
"""

from mlip_helpers.checker import check

__all__ = [
    "accountability",
    "attacks",
    "baselines",
    "bias",
    "check",
    "checker",
    "claims",
    "components",
    "conflicts",
    "confusion",
    "dataquality",
    "datasets",
    "datamodels",
    "datasheets",
    "debt",
    "devops",
    "elicitation",
    "errors",
    "evaluation",
    "eventlog",
    "exercises",
    "experiments",
    "explain",
    "fairgoals",
    "fairlaw",
    "fairness",
    "faulttree",
    "fieldtests",
    "fmea",
    "governance",
    "hazards",
    "invariants",
    "measurement",
    "mistakes",
    "operations",
    "overtrust",
    "patterns",
    "pipeline_review",
    "pipelines",
    "privacy",
    "process",
    "provenance",
    "recommend",
    "reflection",
    "repair",
    "requirements",
    "responsible",
    "safety",
    "scaling",
    "security",
    "serving",
    "slicing",
    "systems",
    "systems_thinking",
    "teams",
    "testdesign",
    "textdata",
    "tradeoffs",
    "versioning",
]
