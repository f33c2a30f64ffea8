"""The RDF vocabulary as data: namespaces, prefixes and every term of ``lin:``.

This table is the one place our own terms are declared. :mod:`lineage.outputs.rdf`
builds the ``LIN`` namespace and the published ``vocab.ttl`` from it, and
:mod:`lineage.outputs.ntriples` the explicit ``rdf:type`` triples of the export
(every superclass a record's class has here or in PROV-O). It imports nothing, so
the streamed exports need no rdflib. Terms are written as CURIEs (``"prov:Entity"``)
over :data:`NAMESPACES`.
"""

from __future__ import annotations

import functools

__all__ = [
    "CLASS",
    "CONCEPT",
    "DATA",
    "EXTERNAL_SUPERCLASSES",
    "ID_KINDS",
    "LIN_URI",
    "NAMESPACES",
    "OBJECT",
    "SCHEME",
    "TERMS",
    "expand",
    "id_prefixes",
    "superclasses",
]

#: The namespace of our own terms (classes, properties, closed vocabularies).
LIN_URI = "https://w3id.org/lineage/vocab#"

#: The vocabularies the export uses, by the prefix every output declares.
NAMESPACES: dict[str, str] = {
    "lin": LIN_URI,
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "oa": "http://www.w3.org/ns/oa#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}

#: The kinds of record IRIs we mint (``<base><kind>/<id>``); each is also the
#: prefix of its namespace in every output, so every IRI has a qualified name.
ID_KINDS = (
    "model",
    "family",
    "derivation",
    "claim",
    "source",
    "stage",
    "capability",
    "figure",
    "emergence",
    "organization",
    "concept",
    "scheme",
    "conflict",
    "term",
    "identifier",
    "asset",
)


def id_prefixes(base: str) -> dict[str, str]:
    """The prefix of each minted id namespace under ``base``.

    Examples
    --------
    >>> id_prefixes("https://example.org/id/")["model"]
    'https://example.org/id/model/'
    """
    return {kind: f"{base}{kind}/" for kind in ID_KINDS}


def expand(curie: str) -> str:
    """The full IRI of a CURIE over :data:`NAMESPACES`.

    Examples
    --------
    >>> expand("prov:Entity")
    'http://www.w3.org/ns/prov#Entity'
    """
    prefix, _, local = curie.partition(":")
    return NAMESPACES[prefix] + local


CLASS, OBJECT, DATA, SCHEME, CONCEPT = "class", "object", "data", "scheme", "concept"

#: The subclass axioms of PROV-O that the export materialises too.
EXTERNAL_SUPERCLASSES: dict[str, tuple[str, ...]] = {
    "prov:Collection": ("prov:Entity",),
    "prov:Organization": ("prov:Agent",),
    "prov:Person": ("prov:Agent",),
    "prov:SoftwareAgent": ("prov:Agent",),
}

#: Every term of ``lin:``: (local name, kind, label, comment, extra triples).
#: Extra triples are (predicate, object) CURIEs, or an int for ``lin:rank``.
TERMS: tuple[tuple[str, str, str, str, tuple[tuple[str, str | int], ...]], ...] = (
    (
        "Model",
        CLASS,
        "model",
        "A language model: one set of trained weights, usually an API model name.",
        (("rdfs:subClassOf", "prov:Entity"),),
    ),
    (
        "Family",
        CLASS,
        "model family",
        "A named group of models such as GPT-3 or PaLM; members are linked with prov:hadMember.",
        (("rdfs:subClassOf", "prov:Collection"),),
    ),
    (
        "NamedConcept",
        CLASS,
        "named concept",
        "A named idea of the sources that is neither a capability nor a stage (the alignment tax); a concept of the concept scheme, linked to the claims that exemplify it.",
        (("rdfs:subClassOf", "skos:Concept"),),
    ),
    (
        "exemplifiedBy",
        OBJECT,
        "exemplified by",
        "A claim that exemplifies the concept (text-davinci-002's weakened in-context learning exemplifies the alignment tax).",
        (("rdfs:domain", "lin:NamedConcept"), ("rdfs:range", "lin:Claim")),
    ),
    (
        "Capability",
        CLASS,
        "capability",
        "An ability or a limitation a model can have; a concept of the capability scheme, with skos:broader for the hierarchy.",
        (("rdfs:subClassOf", "skos:Concept"),),
    ),
    (
        "Stage",
        CLASS,
        "training stage",
        "A concept of the closed scheme of training stages (pretraining, code training, instruction tuning, RLHF).",
        (("rdfs:subClassOf", "skos:Concept"),),
    ),
    (
        "TrainingActivity",
        CLASS,
        "training activity",
        "The activity of a qualified derivation: one training stage applied to a parent model. Typed by the subclass of its stage.",
        (("rdfs:subClassOf", "prov:Activity"),),
    ),
    (
        "Pretraining",
        CLASS,
        "pretraining",
        "A training activity of the stage 'pretraining'.",
        (("rdfs:subClassOf", "lin:TrainingActivity"),),
    ),
    (
        "CodeTraining",
        CLASS,
        "code training",
        "A training activity of the stage 'code_training'.",
        (("rdfs:subClassOf", "lin:TrainingActivity"),),
    ),
    (
        "InstructionTuning",
        CLASS,
        "instruction tuning",
        "A training activity of the stage 'instruction_tuning'.",
        (("rdfs:subClassOf", "lin:TrainingActivity"),),
    ),
    (
        "RLHF",
        CLASS,
        "reinforcement learning from human feedback",
        "A training activity of the stage 'rlhf'.",
        (("rdfs:subClassOf", "lin:TrainingActivity"),),
    ),
    (
        "ContinuedPretraining",
        CLASS,
        "continued pre-training",
        "A training activity of the stage 'continued_pretraining'.",
        (("rdfs:subClassOf", "lin:TrainingActivity"),),
    ),
    (
        "FineTuning",
        CLASS,
        "fine-tuning",
        "A training activity of the stage 'fine_tuning'.",
        (("rdfs:subClassOf", "lin:TrainingActivity"),),
    ),
    (
        "AdapterTraining",
        CLASS,
        "adapter training",
        "A training activity of the stage 'adapter_training'.",
        (("rdfs:subClassOf", "lin:TrainingActivity"),),
    ),
    (
        "PreferenceTuning",
        CLASS,
        "preference tuning",
        "A training activity of the stage 'preference_tuning'.",
        (("rdfs:subClassOf", "lin:TrainingActivity"),),
    ),
    (
        "Distillation",
        CLASS,
        "distillation",
        "A training activity of the stage 'distillation'.",
        (("rdfs:subClassOf", "lin:TrainingActivity"),),
    ),
    (
        "Quantization",
        CLASS,
        "quantization",
        "A training activity of the stage 'quantization'.",
        (("rdfs:subClassOf", "lin:TrainingActivity"),),
    ),
    (
        "Merging",
        CLASS,
        "merging",
        "A training activity of the stage 'merging'.",
        (("rdfs:subClassOf", "lin:TrainingActivity"),),
    ),
    (
        "UnspecifiedDerivation",
        CLASS,
        "unspecified dependency",
        "A training activity of the stage 'unspecified'.",
        (("rdfs:subClassOf", "lin:TrainingActivity"),),
    ),
    (
        "Derivation",
        CLASS,
        "model derivation",
        "A qualified prov:Derivation of a child model from a parent model, with the confidence and evidence of the edge.",
        (("rdfs:subClassOf", "prov:Derivation"),),
    ),
    (
        "AlternativeDerivation",
        CLASS,
        "alternative derivation",
        "One of several derivations the sources give for the same child model, as competing accounts of its base: each names one possible parent and its stage (lin:stage) but no activity, so the child keeps at most one generation (PROV-CONSTRAINTS' unique generation). The others are linked with lin:alternativeTo.",
        (("rdfs:subClassOf", "lin:Derivation"),),
    ),
    (
        "Claim",
        CLASS,
        "capability claim",
        "A cited statement that a capability was gained, strengthened, weakened, lost or recovered at a model, caused by a stage, with a confidence.",
        (("rdfs:subClassOf", "prov:Entity"),),
    ),
    (
        "Evidence",
        CLASS,
        "evidence",
        "One piece of support for a record: a source (dcterms:source), where in it (lin:locator), what it says (rdfs:comment, the note) and the passages the note quotes word for word (lin:quote, as Web Annotations).",
        (("rdfs:subClassOf", "prov:Entity"),),
    ),
    (
        "Source",
        CLASS,
        "source",
        "A publication or document cited by the facts.",
        (
            ("rdfs:subClassOf", "dcterms:BibliographicResource"),
            ("rdfs:subClassOf", "prov:Entity"),
        ),
    ),
    (
        "Figure",
        CLASS,
        "figure",
        "One cited numeric fact (parameters, training tokens, data share...) about a model, family or source, with its unit (schema:unitText) and source.",
        (("rdfs:subClassOf", "schema:PropertyValue"),),
    ),
    (
        "Emergence",
        CLASS,
        "emergence observation",
        "The scale at which an ability emerges for a model (one row of Wei et al. 2022, Table 1).",
        (("rdfs:subClassOf", "prov:Entity"),),
    ),
    (
        "Effect",
        CLASS,
        "effect",
        "What a claim says happened to a capability (a concept of lin:effects).",
        (("rdfs:subClassOf", "skos:Concept"),),
    ),
    (
        "Confidence",
        CLASS,
        "confidence",
        "How firmly a source states a claim (a concept of lin:confidences).",
        (("rdfs:subClassOf", "skos:Concept"),),
    ),
    (
        "Mechanism",
        CLASS,
        "mechanism",
        "Whether a stage exposed a latent ability or put it there (a concept of lin:mechanisms).",
        (("rdfs:subClassOf", "skos:Concept"),),
    ),
    (
        "Kind",
        CLASS,
        "capability kind",
        "Ability or limitation (a concept of lin:kinds).",
        (("rdfs:subClassOf", "skos:Concept"),),
    ),
    (
        "Setting",
        CLASS,
        "prompting setting",
        "The prompting setting of an emergence observation (a concept of lin:settings).",
        (("rdfs:subClassOf", "skos:Concept"),),
    ),
    (
        "model",
        OBJECT,
        "model",
        "The model (or, for a family-level observation, the family) a claim or an emergence observation is about.",
        (
            ("schema:domainIncludes", "lin:Claim"),
            ("schema:domainIncludes", "lin:Emergence"),
            ("schema:rangeIncludes", "lin:Model"),
            ("schema:rangeIncludes", "lin:Family"),
        ),
    ),
    (
        "capability",
        OBJECT,
        "capability",
        "The capability a claim or an emergence observation is about.",
        (
            ("schema:domainIncludes", "lin:Claim"),
            ("schema:domainIncludes", "lin:Emergence"),
            ("rdfs:range", "lin:Capability"),
        ),
    ),
    (
        "effect",
        OBJECT,
        "effect",
        "What happened to the capability: gained, strengthened, weakened, lost or recovered.",
        (("rdfs:domain", "lin:Claim"), ("rdfs:range", "lin:Effect")),
    ),
    (
        "stage",
        OBJECT,
        "stage",
        "The training stage that caused a claim's change, or the stage of a derivation and of its training activity.",
        (
            ("schema:domainIncludes", "lin:Claim"),
            ("schema:domainIncludes", "lin:Derivation"),
            ("schema:domainIncludes", "lin:TrainingActivity"),
            ("rdfs:range", "lin:Stage"),
        ),
    ),
    (
        "confidence",
        OBJECT,
        "confidence",
        "How firmly the sources state a claim or a derivation.",
        (
            ("schema:domainIncludes", "lin:Claim"),
            ("schema:domainIncludes", "lin:Derivation"),
            ("rdfs:range", "lin:Confidence"),
        ),
    ),
    (
        "mechanism",
        OBJECT,
        "mechanism",
        "Whether the stage unlocked a latent capability or injected a new one.",
        (("rdfs:domain", "lin:Claim"), ("rdfs:range", "lin:Mechanism")),
    ),
    (
        "alternativeTo",
        OBJECT,
        "alternative to",
        "This claim (or derivation) is a competing explanation of that one; a competing claim is reported but does not change what a model has.",
        (
            ("schema:domainIncludes", "lin:Claim"),
            ("schema:domainIncludes", "lin:AlternativeDerivation"),
            ("schema:rangeIncludes", "lin:Claim"),
            ("schema:rangeIncludes", "lin:AlternativeDerivation"),
        ),
    ),
    (
        "statedFor",
        OBJECT,
        "stated for",
        "The family the source states this claim for as a whole: every member of it carries the same claim.",
        (
            ("schema:domainIncludes", "lin:Claim"),
            ("schema:rangeIncludes", "lin:Family"),
        ),
    ),
    (
        "evidence",
        OBJECT,
        "evidence",
        "A piece of evidence supporting a model, derivation or claim.",
        (("rdfs:range", "lin:Evidence"),),
    ),
    (
        "quote",
        OBJECT,
        "quote",
        "A passage of the source that an evidence note quotes word for word, as a W3C Web Annotation oa:SpecificResource: oa:hasSource the source, oa:hasSelector an oa:TextQuoteSelector whose oa:exact is the passage, and lin:locator where it is.",
        (("rdfs:domain", "lin:Evidence"), ("rdfs:range", "oa:SpecificResource")),
    ),
    (
        "family",
        OBJECT,
        "family",
        "The family a model belongs to (the inverse of the family's prov:hadMember).",
        (("rdfs:domain", "lin:Model"), ("rdfs:range", "lin:Family")),
    ),
    (
        "kind",
        OBJECT,
        "kind",
        "Whether a capability is an ability or a limitation.",
        (("rdfs:domain", "lin:Capability"), ("rdfs:range", "lin:Kind")),
    ),
    (
        "setting",
        OBJECT,
        "setting",
        "The prompting setting (few-shot or augmented) of an emergence observation.",
        (("rdfs:domain", "lin:Emergence"), ("rdfs:range", "lin:Setting")),
    ),
    (
        "contested",
        DATA,
        "contested",
        "True when the sources dispute the claim.",
        (("rdfs:domain", "lin:Claim"), ("rdfs:range", "xsd:boolean")),
    ),
    (
        "cause",
        DATA,
        "cause",
        "The mechanism or cause the sources give for a claim's change, in words, when it is not the stage itself (text-davinci-003 recovered in-context learning through mixing the language-modelling objective into RL tuning, not through RLHF itself).",
        (("rdfs:domain", "lin:Claim"), ("rdfs:range", "rdf:langString")),
    ),
    (
        "partial",
        DATA,
        "partial",
        "True when only part of the capability changed (a partial recovery); absent means the whole.",
        (("rdfs:domain", "lin:Claim"), ("rdfs:range", "xsd:boolean")),
    ),
    (
        "stillBelow",
        OBJECT,
        "still below",
        "A model the capability stays below after the claim's change (text-davinci-003's in-context learning stays below code-davinci-002's).",
        (("rdfs:domain", "lin:Claim"), ("rdfs:range", "lin:Model")),
    ),
    (
        "supports",
        OBJECT,
        "supports",
        "This claim is evidence for that claim (a hypothesis), not an origin of the capability in that claim's lineage.",
        (("rdfs:domain", "lin:Claim"), ("rdfs:range", "lin:Claim")),
    ),
    (
        "locator",
        DATA,
        "locator",
        "Where in the source: section, table, figure or page of the original.",
        (("rdfs:range", "xsd:string"),),
    ),
    (
        "trainingData",
        DATA,
        "training data",
        "Prose about a model's training data (numbers are figures).",
        (("rdfs:domain", "lin:Model"), ("rdfs:range", "xsd:string")),
    ),
    (
        "qualifier",
        DATA,
        "qualifier",
        "Which part a figure is about, e.g. the code share of the training data.",
        (("rdfs:domain", "lin:Figure"), ("rdfs:range", "xsd:string")),
    ),
    (
        "task",
        DATA,
        "task",
        "The benchmark or task of an emergence observation, as the paper names it.",
        (("rdfs:domain", "lin:Emergence"), ("rdfs:range", "xsd:string")),
    ),
    (
        "trainingFlops",
        DATA,
        "training FLOPs",
        "Training compute (FLOPs) at which the ability emerges.",
        (("rdfs:domain", "lin:Emergence"), ("rdfs:range", "xsd:double")),
    ),
    (
        "parameters",
        DATA,
        "parameters",
        "Number of parameters at which the ability emerges.",
        (("rdfs:domain", "lin:Emergence"), ("rdfs:range", "xsd:double")),
    ),
    (
        "rank",
        DATA,
        "rank",
        "Order of a confidence, 0 for the strongest (established).",
        (("rdfs:domain", "lin:Confidence"), ("rdfs:range", "xsd:integer")),
    ),
    (
        "releasedFrom",
        DATA,
        "released from",
        "Earliest date of a release the source gives only as a range.",
        (("rdfs:domain", "lin:Model"),),
    ),
    (
        "releasedUntil",
        DATA,
        "released until",
        "Latest date of a release the source gives only as a range.",
        (("rdfs:domain", "lin:Model"),),
    ),
    (
        "paperDate",
        DATA,
        "paper date",
        "Date of the paper that introduced the model, where the source dates the "
        "paper rather than a release (an ISO 8601 interval string for a range).",
        (("rdfs:domain", "lin:Model"),),
    ),
    (
        "paper",
        OBJECT,
        "paper",
        "A publication the source names as the model's paper.",
        (("rdfs:domain", "lin:Model"), ("rdfs:range", "lin:Source")),
    ),
    (
        "approximates",
        OBJECT,
        "approximates",
        "An open-source model, family or paper the source names as an "
        "approximation of the model (Fu et al.'s summary table).",
        (("rdfs:range", "lin:Model"),),
    ),
    (
        "Conflict",
        CLASS,
        "conflict",
        "A disagreement the sources hold, recorded once with every side cited.",
        (("rdfs:subClassOf", "prov:Entity"),),
    ),
    (
        "ConflictSide",
        CLASS,
        "conflict side",
        "One position in a conflict, with its evidence.",
        (),
    ),
    (
        "topic",
        DATA,
        "topic",
        "The question a conflict is about; conflicts sharing a topic are shown together.",
        (("rdfs:domain", "lin:Conflict"), ("rdfs:range", "xsd:string")),
    ),
    (
        "conflictKind",
        DATA,
        "conflict kind",
        "between-sources, within-source or translation (the translation we hold reads "
        "differently from the original).",
        (("rdfs:domain", "lin:Conflict"), ("rdfs:range", "xsd:string")),
    ),
    (
        "about",
        OBJECT,
        "about",
        "A record the conflict concerns.",
        (("rdfs:domain", "lin:Conflict"),),
    ),
    (
        "side",
        OBJECT,
        "side",
        "One side of a conflict.",
        (("rdfs:domain", "lin:Conflict"), ("rdfs:range", "lin:ConflictSide")),
    ),
    (
        "says",
        DATA,
        "says",
        "What one side of a conflict holds, in the graph's words.",
        (("rdfs:domain", "lin:ConflictSide"), ("rdfs:range", "xsd:string")),
    ),
    (
        "statedIn",
        OBJECT,
        "stated in",
        "A record of the graph that states this side.",
        (("rdfs:domain", "lin:ConflictSide"),),
    ),
    (
        "translationReading",
        DATA,
        "translation reading",
        "True when the side is the reading of a translation, a note on the fact and "
        "never a second fact.",
        (("rdfs:domain", "lin:ConflictSide"), ("rdfs:range", "xsd:boolean")),
    ),
    (
        "translation",
        DATA,
        "translation note",
        "Which translation of a source the facts were taken from.",
        (("rdfs:domain", "lin:Source"), ("rdfs:range", "xsd:string")),
    ),
    ("effects", SCHEME, "effects", "What a claim says happened to a capability.", ()),
    (
        "confidences",
        SCHEME,
        "confidences",
        "How firmly a source states a claim, strongest first.",
        (),
    ),
    (
        "mechanisms",
        SCHEME,
        "mechanisms",
        "Whether a stage exposed a latent ability or put it there.",
        (),
    ),
    ("kinds", SCHEME, "capability kinds", "Ability or limitation.", ()),
    (
        "settings",
        SCHEME,
        "prompting settings",
        "Prompting settings of Wei et al. (2022), Table 1.",
        (),
    ),
    (
        "gained",
        CONCEPT,
        "gained",
        "The model has the capability from here on.",
        (("rdf:type", "lin:Effect"), ("skos:inScheme", "lin:effects")),
    ),
    (
        "strengthened",
        CONCEPT,
        "strengthened",
        "The capability got stronger at this model.",
        (("rdf:type", "lin:Effect"), ("skos:inScheme", "lin:effects")),
    ),
    (
        "weakened",
        CONCEPT,
        "weakened",
        "The capability got weaker at this model but is still there.",
        (("rdf:type", "lin:Effect"), ("skos:inScheme", "lin:effects")),
    ),
    (
        "lost",
        CONCEPT,
        "lost",
        "The model no longer has the capability.",
        (("rdf:type", "lin:Effect"), ("skos:inScheme", "lin:effects")),
    ),
    (
        "recovered",
        CONCEPT,
        "recovered",
        "A capability lost or weakened above came back at this model.",
        (("rdf:type", "lin:Effect"), ("skos:inScheme", "lin:effects")),
    ),
    (
        "has",
        CONCEPT,
        "has the limitation",
        "The model has the limitation (observed at it, or stated for its whole family); only for limitations, which are never gained or lost like an ability.",
        (("rdf:type", "lin:Effect"), ("skos:inScheme", "lin:effects")),
    ),
    (
        "lacks",
        CONCEPT,
        "no longer has the limitation",
        "An ancestor has the limitation and this model no longer has it; only for limitations.",
        (("rdf:type", "lin:Effect"), ("skos:inScheme", "lin:effects")),
    ),
    (
        "established",
        CONCEPT,
        "established",
        "Stated as fact or measured.",
        (
            ("rdf:type", "lin:Confidence"),
            ("skos:inScheme", "lin:confidences"),
            ("lin:rank", 0),
        ),
    ),
    (
        "likely",
        CONCEPT,
        "likely",
        "'Very likely', 'probably'.",
        (
            ("rdf:type", "lin:Confidence"),
            ("skos:inScheme", "lin:confidences"),
            ("lin:rank", 1),
        ),
    ),
    (
        "hypothesis",
        CONCEPT,
        "hypothesis",
        "'We hypothesise', 'no conclusive evidence'.",
        (
            ("rdf:type", "lin:Confidence"),
            ("skos:inScheme", "lin:confidences"),
            ("lin:rank", 2),
        ),
    ),
    (
        "speculative",
        CONCEPT,
        "speculative",
        "A guess that the source itself flags as such.",
        (
            ("rdf:type", "lin:Confidence"),
            ("skos:inScheme", "lin:confidences"),
            ("lin:rank", 3),
        ),
    ),
    (
        "unlocked",
        CONCEPT,
        "unlocked",
        "The ability was latent and the stage exposed it.",
        (("rdf:type", "lin:Mechanism"), ("skos:inScheme", "lin:mechanisms")),
    ),
    (
        "injected",
        CONCEPT,
        "injected",
        "The stage put the ability there.",
        (("rdf:type", "lin:Mechanism"), ("skos:inScheme", "lin:mechanisms")),
    ),
    (
        "unknown",
        CONCEPT,
        "unknown mechanism",
        "The sources do not say whether the ability was unlocked or injected.",
        (("rdf:type", "lin:Mechanism"), ("skos:inScheme", "lin:mechanisms")),
    ),
    (
        "ability",
        CONCEPT,
        "ability",
        "Something a model can do.",
        (("rdf:type", "lin:Kind"), ("skos:inScheme", "lin:kinds")),
    ),
    (
        "limitation",
        CONCEPT,
        "limitation",
        "Something a model cannot do.",
        (("rdf:type", "lin:Kind"), ("skos:inScheme", "lin:kinds")),
    ),
    (
        "few-shot",
        CONCEPT,
        "few-shot prompting",
        "Few-shot prompted abilities (Wei et al. 2022, Table 1, upper part).",
        (("rdf:type", "lin:Setting"), ("skos:inScheme", "lin:settings")),
    ),
    (
        "augmented",
        CONCEPT,
        "augmented prompting",
        "Augmented prompting strategies (Wei et al. 2022, Table 1, lower part).",
        (("rdf:type", "lin:Setting"), ("skos:inScheme", "lin:settings")),
    ),
)


@functools.cache
def superclasses(curie: str) -> tuple[str, ...]:
    """``curie`` and every class above it, nearest first (``rdfs:subClassOf``).

    Examples
    --------
    >>> superclasses("lin:Pretraining")
    ('lin:Pretraining', 'lin:TrainingActivity', 'prov:Activity')
    >>> superclasses("lin:Family")
    ('lin:Family', 'prov:Collection', 'prov:Entity')
    """
    above: dict[str, tuple[str, ...]] = dict(EXTERNAL_SUPERCLASSES)
    for name, kind, _label, _comment, extra in TERMS:
        if kind == CLASS:
            above[f"lin:{name}"] = tuple(
                str(o) for p, o in extra if p == "rdfs:subClassOf"
            )
    out: list[str] = []
    todo = [curie]
    while todo:
        node = todo.pop(0)
        if node not in out:
            out.append(node)
            todo.extend(above.get(node, ()))
    return tuple(out)
