"""The facts as RDF: the ``LIN`` vocabulary, :func:`to_rdf` and :func:`write_rdf`.

Models are PROV-O entities linked by ``prov:wasDerivedFrom`` with a qualified
derivation whose activity is typed by its training stage; stages and capabilities
are SKOS concept schemes; claims, evidence, figures and emergence observations are
nodes of their own so that provenance can be queried (see ``queries/*.rq``). Our
own terms live in one namespace, :data:`LIN`, declared here from :data:`TERMS`
and published as ``lineage/outputs/vocab.ttl`` (:func:`vocabulary_graph`).

Only :mod:`lineage.cli.rdf`, :mod:`lineage.outputs.sparql` and :mod:`lineage.outputs.shacl` import
this module, and only when an RDF command runs (rdflib is slow to import).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SDO, ClosedNamespace

from ..errors import LineageError
from ..facts.model import Confidence, Effect, Facts, Kind, Mechanism, Setting, Stage

if TYPE_CHECKING:
    from ..store.index import Index

__all__ = [
    "DEFAULT_BASE",
    "DEFAULT_GRAPH",
    "FORMATS",
    "LIN",
    "LIN_URI",
    "TERMS",
    "format_for",
    "serialize",
    "to_rdf",
    "vocabulary_graph",
    "nt_iri",
    "nt_literal",
    "stream_ntriples",
    "write_ntriples",
    "write_rdf",
]

#: The namespace of our own terms (classes, properties, closed vocabularies).
LIN_URI = "https://w3id.org/lineage/vocab#"
#: The vocabulary document (the ``owl:Ontology``).
VOCAB_IRI = URIRef("https://w3id.org/lineage/vocab")
#: Where the records of the shipped graph live: ``<base>model/davinci`` and so on.
DEFAULT_BASE = "https://w3id.org/lineage/id/"
#: The named graph that ``lineage push`` replaces and ``sparql --endpoint`` reads.
DEFAULT_GRAPH = DEFAULT_BASE + "graph"

#: ``--format`` name -> (rdflib format, file suffixes); the first suffix is canonical.
FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "turtle": ("turtle", (".ttl", ".turtle")),
    "nt": ("nt", (".nt",)),
    "jsonld": ("json-ld", (".jsonld", ".json")),
    "xml": ("xml", (".rdf", ".xml", ".owl")),
    "trig": ("trig", (".trig",)),
}

PREFIXES = {
    "lin": LIN_URI,
    "prov": str(PROV),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "schema": str(SDO),
    "xsd": str(XSD),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
}

_CLASS, _OBJECT, _DATA, _SCHEME, _CONCEPT = (
    "class",
    "object",
    "data",
    "scheme",
    "concept",
)

#: Every term of :data:`LIN`: (local name, kind, label, comment, extra triples).
#: Extra triples are (predicate, object); objects given as ``"lin:X"`` are our terms.
TERMS: tuple[tuple[str, str, str, str, tuple[tuple[Any, Any], ...]], ...] = (
    # --- classes ---
    (
        "Model",
        _CLASS,
        "model",
        "A language model: one set of trained weights, usually an API model name.",
        ((RDFS.subClassOf, PROV.Entity),),
    ),
    (
        "Family",
        _CLASS,
        "model family",
        "A named group of models such as GPT-3 or PaLM; members are linked with "
        "prov:hadMember.",
        ((RDFS.subClassOf, PROV.Collection),),
    ),
    (
        "Capability",
        _CLASS,
        "capability",
        "An ability or a limitation a model can have; a concept of the capability "
        "scheme, with skos:broader for the hierarchy.",
        ((RDFS.subClassOf, SKOS.Concept),),
    ),
    (
        "Stage",
        _CLASS,
        "training stage",
        "A concept of the closed scheme of training stages (pretraining, code "
        "training, instruction tuning, RLHF).",
        ((RDFS.subClassOf, SKOS.Concept),),
    ),
    (
        "TrainingActivity",
        _CLASS,
        "training activity",
        "The activity of a qualified derivation: one training stage applied to a "
        "parent model. Typed by the subclass of its stage.",
        ((RDFS.subClassOf, PROV.Activity),),
    ),
    (
        "Pretraining",
        _CLASS,
        "pretraining",
        "A training activity of the stage 'pretraining'.",
        ((RDFS.subClassOf, "lin:TrainingActivity"),),
    ),
    (
        "CodeTraining",
        _CLASS,
        "code training",
        "A training activity of the stage 'code_training'.",
        ((RDFS.subClassOf, "lin:TrainingActivity"),),
    ),
    (
        "InstructionTuning",
        _CLASS,
        "instruction tuning",
        "A training activity of the stage 'instruction_tuning'.",
        ((RDFS.subClassOf, "lin:TrainingActivity"),),
    ),
    (
        "RLHF",
        _CLASS,
        "reinforcement learning from human feedback",
        "A training activity of the stage 'rlhf'.",
        ((RDFS.subClassOf, "lin:TrainingActivity"),),
    ),
    (
        "ContinuedPretraining",
        _CLASS,
        "continued pre-training",
        "A training activity of the stage 'continued_pretraining'.",
        ((RDFS.subClassOf, "lin:TrainingActivity"),),
    ),
    (
        "FineTuning",
        _CLASS,
        "fine-tuning",
        "A training activity of the stage 'fine_tuning'.",
        ((RDFS.subClassOf, "lin:TrainingActivity"),),
    ),
    (
        "AdapterTraining",
        _CLASS,
        "adapter training",
        "A training activity of the stage 'adapter_training'.",
        ((RDFS.subClassOf, "lin:TrainingActivity"),),
    ),
    (
        "PreferenceTuning",
        _CLASS,
        "preference tuning",
        "A training activity of the stage 'preference_tuning'.",
        ((RDFS.subClassOf, "lin:TrainingActivity"),),
    ),
    (
        "Distillation",
        _CLASS,
        "distillation",
        "A training activity of the stage 'distillation'.",
        ((RDFS.subClassOf, "lin:TrainingActivity"),),
    ),
    (
        "Quantization",
        _CLASS,
        "quantization",
        "A training activity of the stage 'quantization'.",
        ((RDFS.subClassOf, "lin:TrainingActivity"),),
    ),
    (
        "Merging",
        _CLASS,
        "merging",
        "A training activity of the stage 'merging'.",
        ((RDFS.subClassOf, "lin:TrainingActivity"),),
    ),
    (
        "UnspecifiedDerivation",
        _CLASS,
        "unspecified dependency",
        "A training activity of the stage 'unspecified'.",
        ((RDFS.subClassOf, "lin:TrainingActivity"),),
    ),
    (
        "Derivation",
        _CLASS,
        "model derivation",
        "A qualified prov:Derivation of a child model from a parent model, with the "
        "confidence and evidence of the edge.",
        ((RDFS.subClassOf, PROV.Derivation),),
    ),
    (
        "Claim",
        _CLASS,
        "capability claim",
        "A cited statement that a capability was gained, strengthened, weakened, lost "
        "or recovered at a model, caused by a stage, with a confidence.",
        ((RDFS.subClassOf, PROV.Entity),),
    ),
    (
        "Evidence",
        _CLASS,
        "evidence",
        "One piece of support for a record: a source (dcterms:source), where in it "
        "(lin:locator) and what it says (rdfs:comment).",
        ((RDFS.subClassOf, PROV.Entity),),
    ),
    (
        "Source",
        _CLASS,
        "source",
        "A publication or document cited by the facts.",
        (
            (RDFS.subClassOf, DCTERMS.BibliographicResource),
            (RDFS.subClassOf, PROV.Entity),
        ),
    ),
    (
        "Figure",
        _CLASS,
        "figure",
        "One cited numeric fact (parameters, training tokens, data share...) about a "
        "model, family or source, with its unit (schema:unitText) and source.",
        ((RDFS.subClassOf, SDO.PropertyValue),),
    ),
    (
        "Emergence",
        _CLASS,
        "emergence observation",
        "The scale at which an ability emerges for a model (one row of Wei et al. "
        "2022, Table 1).",
        ((RDFS.subClassOf, PROV.Entity),),
    ),
    (
        "Effect",
        _CLASS,
        "effect",
        "What a claim says happened to a capability (a concept of lin:effects).",
        ((RDFS.subClassOf, SKOS.Concept),),
    ),
    (
        "Confidence",
        _CLASS,
        "confidence",
        "How firmly a source states a claim (a concept of lin:confidences).",
        ((RDFS.subClassOf, SKOS.Concept),),
    ),
    (
        "Mechanism",
        _CLASS,
        "mechanism",
        "Whether a stage exposed a latent ability or put it there (a concept of "
        "lin:mechanisms).",
        ((RDFS.subClassOf, SKOS.Concept),),
    ),
    (
        "Kind",
        _CLASS,
        "capability kind",
        "Ability or limitation (a concept of lin:kinds).",
        ((RDFS.subClassOf, SKOS.Concept),),
    ),
    (
        "Setting",
        _CLASS,
        "prompting setting",
        "The prompting setting of an emergence observation (a concept of "
        "lin:settings).",
        ((RDFS.subClassOf, SKOS.Concept),),
    ),
    # --- object properties ---
    (
        "model",
        _OBJECT,
        "model",
        "The model (or, for a family-level observation, the family) a claim or an "
        "emergence observation is about.",
        (
            (SDO.domainIncludes, "lin:Claim"),
            (SDO.domainIncludes, "lin:Emergence"),
            (SDO.rangeIncludes, "lin:Model"),
            (SDO.rangeIncludes, "lin:Family"),
        ),
    ),
    (
        "capability",
        _OBJECT,
        "capability",
        "The capability a claim or an emergence observation is about.",
        (
            (SDO.domainIncludes, "lin:Claim"),
            (SDO.domainIncludes, "lin:Emergence"),
            (RDFS.range, "lin:Capability"),
        ),
    ),
    (
        "effect",
        _OBJECT,
        "effect",
        "What happened to the capability: gained, strengthened, weakened, lost or "
        "recovered.",
        ((RDFS.domain, "lin:Claim"), (RDFS.range, "lin:Effect")),
    ),
    (
        "stage",
        _OBJECT,
        "stage",
        "The training stage that caused a claim's change, or the stage of a "
        "training activity.",
        (
            (SDO.domainIncludes, "lin:Claim"),
            (SDO.domainIncludes, "lin:TrainingActivity"),
            (RDFS.range, "lin:Stage"),
        ),
    ),
    (
        "confidence",
        _OBJECT,
        "confidence",
        "How firmly the sources state a claim or a derivation.",
        (
            (SDO.domainIncludes, "lin:Claim"),
            (SDO.domainIncludes, "lin:Derivation"),
            (RDFS.range, "lin:Confidence"),
        ),
    ),
    (
        "mechanism",
        _OBJECT,
        "mechanism",
        "Whether the stage unlocked a latent capability or injected a new one.",
        ((RDFS.domain, "lin:Claim"), (RDFS.range, "lin:Mechanism")),
    ),
    (
        "alternativeTo",
        _OBJECT,
        "alternative to",
        "This claim is a competing explanation of that claim; it is reported but "
        "does not change what a model has.",
        ((RDFS.domain, "lin:Claim"), (RDFS.range, "lin:Claim")),
    ),
    (
        "evidence",
        _OBJECT,
        "evidence",
        "A piece of evidence supporting a model, derivation or claim.",
        ((RDFS.range, "lin:Evidence"),),
    ),
    (
        "family",
        _OBJECT,
        "family",
        "The family a model belongs to (the inverse of the family's prov:hadMember).",
        ((RDFS.domain, "lin:Model"), (RDFS.range, "lin:Family")),
    ),
    (
        "kind",
        _OBJECT,
        "kind",
        "Whether a capability is an ability or a limitation.",
        ((RDFS.domain, "lin:Capability"), (RDFS.range, "lin:Kind")),
    ),
    (
        "setting",
        _OBJECT,
        "setting",
        "The prompting setting (few-shot or augmented) of an emergence observation.",
        ((RDFS.domain, "lin:Emergence"), (RDFS.range, "lin:Setting")),
    ),
    # --- datatype properties ---
    (
        "contested",
        _DATA,
        "contested",
        "True when the sources dispute the claim.",
        ((RDFS.domain, "lin:Claim"), (RDFS.range, XSD.boolean)),
    ),
    (
        "locator",
        _DATA,
        "locator",
        "Where in the source: section, table, figure or page of the original.",
        ((RDFS.range, XSD.string),),
    ),
    (
        "trainingData",
        _DATA,
        "training data",
        "Prose about a model's training data (numbers are figures).",
        ((RDFS.domain, "lin:Model"), (RDFS.range, XSD.string)),
    ),
    (
        "qualifier",
        _DATA,
        "qualifier",
        "Which part a figure is about, e.g. the code share of the training data.",
        ((RDFS.domain, "lin:Figure"), (RDFS.range, XSD.string)),
    ),
    (
        "task",
        _DATA,
        "task",
        "The benchmark or task of an emergence observation, as the paper names it.",
        ((RDFS.domain, "lin:Emergence"), (RDFS.range, XSD.string)),
    ),
    (
        "trainingFlops",
        _DATA,
        "training FLOPs",
        "Training compute (FLOPs) at which the ability emerges.",
        ((RDFS.domain, "lin:Emergence"), (RDFS.range, XSD.double)),
    ),
    (
        "parameters",
        _DATA,
        "parameters",
        "Number of parameters at which the ability emerges.",
        ((RDFS.domain, "lin:Emergence"), (RDFS.range, XSD.double)),
    ),
    (
        "rank",
        _DATA,
        "rank",
        "Order of a confidence, 0 for the strongest (established).",
        ((RDFS.domain, "lin:Confidence"), (RDFS.range, XSD.integer)),
    ),
    (
        "releasedFrom",
        _DATA,
        "released from",
        "Earliest date of a release the source gives only as a range.",
        ((RDFS.domain, "lin:Model"),),
    ),
    (
        "releasedUntil",
        _DATA,
        "released until",
        "Latest date of a release the source gives only as a range.",
        ((RDFS.domain, "lin:Model"),),
    ),
    (
        "paperDate",
        _DATA,
        "paper date",
        "Date of the paper that introduced the model, where the source dates the "
        "paper rather than a release (an ISO 8601 interval string for a range).",
        ((RDFS.domain, "lin:Model"),),
    ),
    (
        "Conflict",
        _CLASS,
        "conflict",
        "A disagreement the sources hold, recorded once with every side cited.",
        ((RDFS.subClassOf, PROV.Entity),),
    ),
    (
        "ConflictSide",
        _CLASS,
        "conflict side",
        "One position in a conflict, with its evidence.",
        (),
    ),
    (
        "topic",
        _DATA,
        "topic",
        "The question a conflict is about; conflicts sharing a topic are shown together.",
        ((RDFS.domain, "lin:Conflict"), (RDFS.range, XSD.string)),
    ),
    (
        "conflictKind",
        _DATA,
        "conflict kind",
        "between-sources, within-source or translation (the translation we hold reads "
        "differently from the original).",
        ((RDFS.domain, "lin:Conflict"), (RDFS.range, XSD.string)),
    ),
    (
        "about",
        _OBJECT,
        "about",
        "A record the conflict concerns.",
        ((RDFS.domain, "lin:Conflict"),),
    ),
    (
        "side",
        _OBJECT,
        "side",
        "One side of a conflict.",
        ((RDFS.domain, "lin:Conflict"), (RDFS.range, "lin:ConflictSide")),
    ),
    (
        "says",
        _DATA,
        "says",
        "What one side of a conflict holds, in the graph's words.",
        ((RDFS.domain, "lin:ConflictSide"), (RDFS.range, XSD.string)),
    ),
    (
        "statedIn",
        _OBJECT,
        "stated in",
        "A record of the graph that states this side.",
        ((RDFS.domain, "lin:ConflictSide"),),
    ),
    (
        "translationReading",
        _DATA,
        "translation reading",
        "True when the side is the reading of a translation, a note on the fact and "
        "never a second fact.",
        ((RDFS.domain, "lin:ConflictSide"), (RDFS.range, XSD.boolean)),
    ),
    (
        "paper",
        _OBJECT,
        "paper",
        "A publication the source names as the model's paper.",
        ((RDFS.domain, "lin:Model"), (RDFS.range, "lin:Source")),
    ),
    (
        "approximates",
        _OBJECT,
        "approximates",
        "An open-source model, family or paper the source names as an "
        "approximation of the model (Fu et al.'s summary table).",
        ((RDFS.range, "lin:Model"),),
    ),
    (
        "translation",
        _DATA,
        "translation note",
        "Which translation of a source the facts were taken from.",
        ((RDFS.domain, "lin:Source"), (RDFS.range, XSD.string)),
    ),
    # --- concept schemes of the closed vocabularies ---
    ("effects", _SCHEME, "effects", "What a claim says happened to a capability.", ()),
    (
        "confidences",
        _SCHEME,
        "confidences",
        "How firmly a source states a claim, strongest first.",
        (),
    ),
    (
        "mechanisms",
        _SCHEME,
        "mechanisms",
        "Whether a stage exposed a latent ability or put it there.",
        (),
    ),
    ("kinds", _SCHEME, "capability kinds", "Ability or limitation.", ()),
    (
        "settings",
        _SCHEME,
        "prompting settings",
        "Prompting settings of Wei et al. (2022), Table 1.",
        (),
    ),
    # --- concepts ---
    (
        "gained",
        _CONCEPT,
        "gained",
        "The model has the capability from here on.",
        ((RDF.type, "lin:Effect"), (SKOS.inScheme, "lin:effects")),
    ),
    (
        "strengthened",
        _CONCEPT,
        "strengthened",
        "The capability got stronger at this model.",
        ((RDF.type, "lin:Effect"), (SKOS.inScheme, "lin:effects")),
    ),
    (
        "weakened",
        _CONCEPT,
        "weakened",
        "The capability got weaker at this model but is still there.",
        ((RDF.type, "lin:Effect"), (SKOS.inScheme, "lin:effects")),
    ),
    (
        "lost",
        _CONCEPT,
        "lost",
        "The model no longer has the capability.",
        ((RDF.type, "lin:Effect"), (SKOS.inScheme, "lin:effects")),
    ),
    (
        "recovered",
        _CONCEPT,
        "recovered",
        "A capability lost or weakened above came back at this model.",
        ((RDF.type, "lin:Effect"), (SKOS.inScheme, "lin:effects")),
    ),
    (
        "established",
        _CONCEPT,
        "established",
        "Stated as fact or measured.",
        (
            (RDF.type, "lin:Confidence"),
            (SKOS.inScheme, "lin:confidences"),
            ("lin:rank", 0),
        ),
    ),
    (
        "likely",
        _CONCEPT,
        "likely",
        "'Very likely', 'probably'.",
        (
            (RDF.type, "lin:Confidence"),
            (SKOS.inScheme, "lin:confidences"),
            ("lin:rank", 1),
        ),
    ),
    (
        "hypothesis",
        _CONCEPT,
        "hypothesis",
        "'We hypothesise', 'no conclusive evidence'.",
        (
            (RDF.type, "lin:Confidence"),
            (SKOS.inScheme, "lin:confidences"),
            ("lin:rank", 2),
        ),
    ),
    (
        "speculative",
        _CONCEPT,
        "speculative",
        "A guess that the source itself flags as such.",
        (
            (RDF.type, "lin:Confidence"),
            (SKOS.inScheme, "lin:confidences"),
            ("lin:rank", 3),
        ),
    ),
    (
        "unlocked",
        _CONCEPT,
        "unlocked",
        "The ability was latent and the stage exposed it.",
        ((RDF.type, "lin:Mechanism"), (SKOS.inScheme, "lin:mechanisms")),
    ),
    (
        "injected",
        _CONCEPT,
        "injected",
        "The stage put the ability there.",
        ((RDF.type, "lin:Mechanism"), (SKOS.inScheme, "lin:mechanisms")),
    ),
    (
        "unknown",
        _CONCEPT,
        "unknown mechanism",
        "The sources do not say whether the ability was unlocked or injected.",
        ((RDF.type, "lin:Mechanism"), (SKOS.inScheme, "lin:mechanisms")),
    ),
    (
        "ability",
        _CONCEPT,
        "ability",
        "Something a model can do.",
        ((RDF.type, "lin:Kind"), (SKOS.inScheme, "lin:kinds")),
    ),
    (
        "limitation",
        _CONCEPT,
        "limitation",
        "Something a model cannot do.",
        ((RDF.type, "lin:Kind"), (SKOS.inScheme, "lin:kinds")),
    ),
    (
        "few-shot",
        _CONCEPT,
        "few-shot prompting",
        "Few-shot prompted abilities (Wei et al. 2022, Table 1, upper part).",
        ((RDF.type, "lin:Setting"), (SKOS.inScheme, "lin:settings")),
    ),
    (
        "augmented",
        _CONCEPT,
        "augmented prompting",
        "Augmented prompting strategies (Wei et al. 2022, Table 1, lower part).",
        ((RDF.type, "lin:Setting"), (SKOS.inScheme, "lin:settings")),
    ),
)

#: The namespace of our own terms; an unknown term raises (catches typos).
LIN = ClosedNamespace(LIN_URI, [name for name, *_ in TERMS])

#: The activity class of each stage.
STAGE_CLASSES = {
    Stage.PRETRAINING: LIN.Pretraining,
    Stage.CODE_TRAINING: LIN.CodeTraining,
    Stage.INSTRUCTION_TUNING: LIN.InstructionTuning,
    Stage.RLHF: LIN.RLHF,
    Stage.CONTINUED_PRETRAINING: LIN.ContinuedPretraining,
    Stage.FINE_TUNING: LIN.FineTuning,
    Stage.ADAPTER_TRAINING: LIN.AdapterTraining,
    Stage.PREFERENCE_TUNING: LIN.PreferenceTuning,
    Stage.DISTILLATION: LIN.Distillation,
    Stage.QUANTIZATION: LIN.Quantization,
    Stage.MERGING: LIN.Merging,
    Stage.UNSPECIFIED: LIN.UnspecifiedDerivation,
}
#: Closed vocabularies whose members are concepts of LIN (enum value = local name).
_CLOSED = {
    "effects": Effect,
    "confidences": Confidence,
    "mechanisms": Mechanism,
    "kinds": Kind,
    "settings": Setting,
}

_CJK = re.compile(
    r"[\u2e80-\u2fff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _term(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("lin:"):
        return LIN[value[4:]]
    if isinstance(value, int) and not isinstance(value, bool):
        return Literal(value)
    return value


#: SKOS mapping relations by the name used in graph/stages.yaml
_MAPPING_PROPERTIES = {
    "exactMatch": SKOS.exactMatch,
    "closeMatch": SKOS.closeMatch,
    "broadMatch": SKOS.broadMatch,
    "narrowMatch": SKOS.narrowMatch,
    "relatedMatch": SKOS.relatedMatch,
}


def _stage_mappings(
    stage: URIRef, mappings: Iterable[Any], base: str
) -> Iterator[tuple[Any, Any, Any]]:
    """A stage's mappings to the terms of outside vocabularies (Hub relations, ...).

    Those vocabularies publish no IRIs, so each term is minted as a concept of a
    scheme of ours named after the vocabulary, with the term as its notation.
    """
    for mapping in mappings:
        scheme = URIRef(f"{base}scheme/{_iri_part(mapping.scheme)}")
        term = URIRef(
            f"{base}term/{_iri_part(mapping.scheme)}/{_iri_part(mapping.term)}"
        )
        yield stage, _MAPPING_PROPERTIES[mapping.relation], term
        yield term, RDF.type, SKOS.Concept
        yield term, SKOS.inScheme, scheme
        yield term, SKOS.notation, Literal(mapping.term)
        yield term, SKOS.prefLabel, Literal(mapping.term, lang="en")
        yield scheme, RDF.type, SKOS.ConceptScheme
        yield scheme, SKOS.prefLabel, Literal(mapping.scheme)


def _iri_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-").lower()


def _closed_triples() -> Iterator[tuple[Any, Any, Any]]:
    """The concepts of the closed vocabularies: type, scheme, label, rank."""
    for name, kind, label, _comment, extra in TERMS:
        node = LIN[name]
        if kind == _SCHEME:
            yield node, RDF.type, SKOS.ConceptScheme
            yield node, SKOS.prefLabel, Literal(label, lang="en")
        elif kind == _CONCEPT:
            yield node, RDF.type, SKOS.Concept
            yield node, SKOS.prefLabel, Literal(label, lang="en")
            yield node, SKOS.notation, Literal(name)
            for pred, obj in extra:
                yield node, _term(pred), _term(obj)


def vocabulary_graph() -> Graph:
    """The published vocabulary (``lineage/outputs/vocab.ttl``): every LIN term, documented.

    Examples
    --------
    >>> g = vocabulary_graph()
    >>> (LIN.Claim, RDFS.subClassOf, PROV.Entity) in g
    True
    """
    g = _new_graph()
    g.add((VOCAB_IRI, RDF.type, OWL.Ontology))
    g.add((VOCAB_IRI, DCTERMS.title, Literal("The lineage vocabulary", lang="en")))
    g.add(
        (
            VOCAB_IRI,
            RDFS.comment,
            Literal(
                "Terms of the capability-lineage knowledge graph that PROV-O, SKOS, "
                "Dublin Core and schema.org do not already provide.",
                lang="en",
            ),
        )
    )
    g.add((VOCAB_IRI, OWL.versionInfo, Literal("0.1.0")))
    g.add((VOCAB_IRI, SDO.url, URIRef("https://w3id.org/lineage/vocab.ttl")))
    types = {
        _CLASS: OWL.Class,
        _OBJECT: OWL.ObjectProperty,
        _DATA: OWL.DatatypeProperty,
        _SCHEME: SKOS.ConceptScheme,
        _CONCEPT: SKOS.Concept,
    }
    for name, kind, label, comment, _extra in TERMS:
        node = LIN[name]
        g.add((node, RDF.type, types[kind]))
        if kind in (_OBJECT, _DATA):
            g.add((node, RDF.type, RDF.Property))
        g.add((node, RDFS.label, Literal(label, lang="en")))
        g.add((node, RDFS.comment, Literal(comment, lang="en")))
        g.add((node, RDFS.isDefinedBy, VOCAB_IRI))
        if kind == _CONCEPT:
            g.add((node, SKOS.definition, Literal(comment, lang="en")))
    for triple in _closed_triples():
        g.add(triple)
    for cls in _CLOSED.values():
        scheme = next(n for n, c in _CLOSED.items() if c is cls)
        for member in cls:
            g.add((LIN[member.value], SKOS.topConceptOf, LIN[scheme]))
            g.add((LIN[scheme], SKOS.hasTopConcept, LIN[member.value]))
    for name, kind, _label, _comment, extra in TERMS:
        if kind in (_CLASS, _OBJECT, _DATA):
            for pred, obj in extra:
                g.add((LIN[name], _term(pred), _term(obj)))
    return g


def _new_graph() -> Graph:
    g = Graph(bind_namespaces="none")
    for prefix, uri in PREFIXES.items():
        g.bind(prefix, Namespace(uri))
    return g


def check_base(base: str) -> str:
    """Return ``base`` if it can prefix record ids, else raise.

    Examples
    --------
    >>> check_base("https://example.org/id/")
    'https://example.org/id/'
    """
    if not _SCHEME_RE.match(base) or _IRI_BAD.search(base):
        msg = f"base IRI '{base}' is not an absolute IRI (e.g. {DEFAULT_BASE})"
        raise LineageError(msg)
    if not base.endswith(("/", "#")):
        msg = f"base IRI '{base}' must end with '/' or '#' (e.g. {DEFAULT_BASE})"
        raise LineageError(msg)
    return base


def _lang(text: str) -> str:
    return "zh" if _CJK.search(text) else "en"


def _date(text: str) -> Literal:
    if re.fullmatch(r"\d{4}", text):
        return Literal(text, datatype=XSD.gYear)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return Literal(text, datatype=XSD.gYearMonth)
    return Literal(text, datatype=XSD.date)


def _model_dates(model: Any) -> list[tuple[URIRef, Literal]]:
    """dcterms:issued for a release date; lin:releasedFrom/Until for a range;
    lin:paperDate for the date of the introducing paper."""
    out: list[tuple[URIRef, Literal]] = []
    if model.released:
        start, _, end = model.released.partition("/")
        if end:
            out += [(LIN.releasedFrom, _date(start)), (LIN.releasedUntil, _date(end))]
        else:
            out.append((DCTERMS.issued, _date(start)))
    if model.paper_date:
        paper = model.paper_date
        out.append((LIN.paperDate, Literal(paper) if "/" in paper else _date(paper)))
    return out


def _number(value: float) -> Literal:
    if isinstance(value, int) or (
        isinstance(value, float) and value.is_integer() and abs(value) < 2**63
    ):
        return Literal(int(value), datatype=XSD.integer)
    return Literal(repr(float(value)), datatype=XSD.double)


def _double(value: float) -> Literal:
    return Literal(repr(float(value)), datatype=XSD.double)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "unnamed"


class _Ids:
    """Stable IRIs of records: ``<base><kind>/<id>``."""

    def __init__(self, base: str, facts: Facts) -> None:
        self.base = base
        self.facts = facts

    def __call__(self, kind: str, rid: str) -> URIRef:
        return URIRef(f"{self.base}{kind}/{rid}")

    def subject(self, rid: str) -> URIRef:
        """A model, family or source id (figures and claims may name any)."""
        if rid in self.facts.models:
            return self("model", rid)
        if rid in self.facts.families:
            return self("family", rid)
        return self("source", rid)


def _facts_of(index_or_facts: Index | Facts) -> Facts:
    if isinstance(index_or_facts, Facts):
        return index_or_facts
    return index_or_facts.facts


def triples(
    index_or_facts: Index | Facts, base: str = DEFAULT_BASE
) -> Iterator[tuple[Any, Any, Any]]:
    """Every triple of the export, in record order (may repeat; see :func:`to_rdf`)."""
    facts = _facts_of(index_or_facts)
    check_base(base)
    iri = _Ids(base, facts)
    yield from _closed_triples()

    def evidence(owner: URIRef, items: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
        return _evidence_triples(iri, owner, items)

    for src in facts.sources.values():
        s = iri("source", src.id)
        yield s, RDF.type, LIN.Source
        yield s, DCTERMS.identifier, Literal(src.id)
        yield s, DCTERMS.title, Literal(src.title)
        for author in src.authors:
            yield s, DCTERMS.creator, Literal(author)
        yield s, DCTERMS.issued, Literal(str(src.year), datatype=XSD.gYear)
        yield (
            s,
            SDO.url,
            URIRef(src.url) if not _IRI_BAD.search(src.url) else Literal(src.url),
        )
        authors = ", ".join(src.authors)
        yield (
            s,
            DCTERMS.bibliographicCitation,
            Literal(f"{authors} ({src.year}). {src.title}. {src.url}"),
        )
        if src.kind:
            yield s, DCTERMS.type, Literal(src.kind)
            schema_type = {
                "paper": SDO.ScholarlyArticle,
                "preprint": SDO.ScholarlyArticle,
                "blog": SDO.BlogPosting,
                "documentation": SDO.TechArticle,
            }.get(src.kind)
            if schema_type is not None:
                yield s, RDF.type, schema_type
        if src.translation:
            yield s, LIN.translation, Literal(src.translation)
        if src.version_of:
            yield s, DCTERMS.isVersionOf, iri("source", src.version_of)
        if src.note:
            yield s, RDFS.comment, Literal(src.note)

    stages = URIRef(f"{base}scheme/stages")
    yield stages, RDF.type, SKOS.ConceptScheme
    yield stages, SKOS.prefLabel, Literal("Training stages", lang="en")
    for stage in facts.stages.values():
        s = iri("stage", stage.id)
        yield s, RDF.type, SKOS.Concept
        yield s, RDF.type, LIN.Stage
        yield s, DCTERMS.identifier, Literal(stage.id)
        yield s, SKOS.notation, Literal(stage.id)
        yield s, SKOS.prefLabel, Literal(stage.name, lang="en")
        yield s, SKOS.definition, Literal(stage.definition, lang="en")
        yield s, SKOS.inScheme, stages
        if stage.broader:
            for wider in stage.broader:
                yield s, SKOS.broader, iri("stage", wider)
        else:
            yield s, SKOS.topConceptOf, stages
            yield stages, SKOS.hasTopConcept, s
        yield from _stage_mappings(s, stage.mappings, base)

    caps = URIRef(f"{base}scheme/capabilities")
    yield caps, RDF.type, SKOS.ConceptScheme
    yield caps, SKOS.prefLabel, Literal("Capabilities", lang="en")
    for cap in facts.capabilities.values():
        c = iri("capability", cap.id)
        yield c, RDF.type, SKOS.Concept
        yield c, RDF.type, LIN.Capability
        yield c, DCTERMS.identifier, Literal(cap.id)
        yield c, SKOS.notation, Literal(cap.id)
        yield c, SKOS.prefLabel, Literal(cap.name, lang=_lang(cap.name))
        for alias in cap.aliases:
            yield c, SKOS.altLabel, Literal(alias, lang=_lang(alias))
        yield c, SKOS.definition, Literal(cap.description, lang="en")
        yield c, LIN.kind, LIN[cap.kind.value]
        yield c, SKOS.inScheme, caps
        broader = [b for b in cap.broader if b in facts.capabilities]
        for b in broader:
            yield c, SKOS.broader, iri("capability", b)
            yield iri("capability", b), SKOS.narrower, c
        if not broader:
            yield c, SKOS.topConceptOf, caps
            yield caps, SKOS.hasTopConcept, c

    organizations: dict[str, URIRef] = {}

    def organization(name: str) -> Iterator[tuple[Any, ...]]:
        o = iri("organization", _slug(name))
        if name not in organizations:
            organizations[name] = o
            yield o, RDF.type, PROV.Organization
            yield o, RDF.type, SDO.Organization
            yield o, RDFS.label, Literal(name)

    for fam in facts.families.values():
        f = iri("family", fam.id)
        yield f, RDF.type, LIN.Family
        yield f, DCTERMS.identifier, Literal(fam.id)
        yield f, RDFS.label, Literal(fam.name)
        for alias in fam.aliases:
            yield f, SKOS.altLabel, Literal(alias, lang=_lang(alias))
        if fam.organization:
            yield from organization(fam.organization)
            yield f, PROV.wasAttributedTo, organizations[fam.organization]
        if fam.description:
            yield f, DCTERMS.description, Literal(fam.description, lang="en")
        if fam.parent_family and fam.parent_family in facts.families:
            yield f, DCTERMS.isPartOf, iri("family", fam.parent_family)

    for model in facts.models.values():
        m = iri("model", model.id)
        yield m, RDF.type, LIN.Model
        yield m, DCTERMS.identifier, Literal(model.id)
        yield m, RDFS.label, Literal(model.name)
        for alias in model.aliases:
            yield m, SKOS.altLabel, Literal(alias, lang=_lang(alias))
        if model.family and model.family in facts.families:
            yield m, LIN.family, iri("family", model.family)
            yield iri("family", model.family), PROV.hadMember, m
        if model.organization:
            yield from organization(model.organization)
            yield m, PROV.wasAttributedTo, organizations[model.organization]
        for pred, date in _model_dates(model):
            yield m, pred, date
        for paper in model.papers:
            yield m, LIN.paper, iri("source", paper)
        for other in model.approximations:
            yield iri.subject(other), LIN.approximates, m
        if model.description:
            yield m, DCTERMS.description, Literal(model.description, lang="en")
        if model.training_data:
            yield m, LIN.trainingData, Literal(model.training_data, lang="en")
        for scheme, value in model.external_ids:
            link = _external(scheme, value)
            if link is not None:
                yield m, SDO.sameAs, link
        yield from evidence(m, model.evidence)

    for der in facts.derivations.values():
        parent, child = iri("model", der.parent), iri("model", der.child)
        d = iri("derivation", der.id)
        act = URIRef(f"{d}/activity")
        yield child, PROV.wasDerivedFrom, parent
        yield child, PROV.qualifiedDerivation, d
        yield d, RDF.type, PROV.Derivation
        yield d, RDF.type, LIN.Derivation
        yield d, DCTERMS.identifier, Literal(der.id)
        yield d, PROV.entity, parent
        yield d, PROV.hadActivity, act
        yield d, LIN.confidence, LIN[der.confidence.value]
        if der.note:
            yield d, RDFS.comment, Literal(der.note, lang="en")
        yield from evidence(d, der.evidence)
        yield act, RDF.type, PROV.Activity
        yield act, RDF.type, STAGE_CLASSES[der.stage]
        yield act, LIN.stage, iri("stage", der.stage.value)
        yield act, PROV.used, parent
        yield child, PROV.wasGeneratedBy, act

    for claim in facts.claims.values():
        c = iri("claim", claim.id)
        yield c, RDF.type, LIN.Claim
        yield c, DCTERMS.identifier, Literal(claim.id)
        yield c, LIN.model, iri.subject(claim.model)
        yield c, LIN.capability, iri("capability", claim.capability)
        yield c, LIN.effect, LIN[claim.effect.value]
        if claim.stage is not None:
            yield c, LIN.stage, iri("stage", claim.stage.value)
        yield c, LIN.confidence, LIN[claim.confidence.value]
        if claim.mechanism is not None:
            yield c, LIN.mechanism, LIN[claim.mechanism.value]
        if claim.alternative_to:
            yield c, LIN.alternativeTo, iri("claim", claim.alternative_to)
        yield c, LIN.contested, Literal(claim.contested)
        if claim.note:
            yield c, RDFS.comment, Literal(claim.note, lang="en")
        yield from evidence(c, claim.evidence)

    for fig in facts.figures.values():
        f = iri("figure", fig.id)
        yield f, RDF.type, LIN.Figure
        yield f, RDF.type, SDO.PropertyValue
        yield f, DCTERMS.identifier, Literal(fig.id)
        yield f, SDO.about, iri.subject(fig.subject)
        yield f, SDO.propertyID, Literal(fig.property)
        yield f, SDO.value, _number(fig.value)
        yield f, SDO.unitText, Literal(fig.unit)
        if fig.qualifier:
            yield f, LIN.qualifier, Literal(fig.qualifier)
        yield f, DCTERMS.source, iri("source", fig.source)
        yield f, LIN.locator, Literal(fig.locator)
        if fig.note:
            yield f, RDFS.comment, Literal(fig.note, lang="en")

    for row in facts.emergence.values():
        e = iri("emergence", row.id)
        yield e, RDF.type, LIN.Emergence
        yield e, DCTERMS.identifier, Literal(row.id)
        yield e, LIN.capability, iri("capability", row.capability)
        yield e, LIN.task, Literal(row.task)
        yield e, LIN.setting, LIN[row.setting.value]
        yield e, LIN.model, iri.subject(row.model)
        if row.training_flops is not None:
            yield e, LIN.trainingFlops, _double(row.training_flops)
        if row.parameters is not None:
            yield e, LIN.parameters, _double(row.parameters)
        if row.reference:
            yield e, DCTERMS.bibliographicCitation, Literal(row.reference)
        yield e, DCTERMS.source, iri("source", row.source)
        yield e, LIN.locator, Literal(row.locator)
        if row.note:
            yield e, RDFS.comment, Literal(row.note, lang="en")
    yield from conflict_triples(facts, iri)


def _evidence_triples(
    iri: _Ids, owner: URIRef, items: Iterable[Any]
) -> Iterator[tuple[Any, ...]]:
    for n, ev in enumerate(items, 1):
        node = URIRef(f"{owner}/evidence/{n}")
        yield owner, LIN.evidence, node
        yield node, RDF.type, LIN.Evidence
        yield node, DCTERMS.source, iri("source", ev.source)
        yield node, LIN.locator, Literal(ev.locator)
        yield node, RDFS.comment, Literal(ev.note)


#: the IRI kind of the records a conflict may name, by section
_RECORD_KINDS = (
    ("sources", "source"), ("capabilities", "capability"), ("families", "family"),
    ("models", "model"), ("derivations", "derivation"), ("claims", "claim"),
    ("figures", "figure"), ("emergence", "emergence"), ("conflicts", "conflict"),
)  # fmt: skip


def conflict_triples(facts: Facts, iri: _Ids) -> Iterator[tuple[Any, ...]]:
    """The triples of the ``conflicts`` records (both exports share them)."""
    if not facts.conflicts:
        return
    kinds = {
        rid: kind
        for section, kind in reversed(_RECORD_KINDS)
        for rid in getattr(facts, section)
    }

    def record(rid: str) -> URIRef:
        return iri(kinds.get(rid, "source"), rid)

    for conflict in facts.conflicts.values():
        c = iri("conflict", conflict.id)
        yield c, RDF.type, LIN.Conflict
        yield c, DCTERMS.identifier, Literal(conflict.id)
        yield c, LIN.topic, Literal(conflict.topic, lang="en")
        yield c, LIN.conflictKind, Literal(conflict.kind.value)
        for rid in conflict.about:
            yield c, LIN.about, record(rid)
        if conflict.note:
            yield c, RDFS.comment, Literal(conflict.note, lang="en")
        for n, side in enumerate(conflict.sides, 1):
            s = URIRef(f"{c}/side/{n}")
            yield c, LIN.side, s
            yield s, RDF.type, LIN.ConflictSide
            yield s, LIN.says, Literal(side.says, lang="en")
            yield s, LIN.translationReading, Literal(side.translation)
            for rid in side.records:
                yield s, LIN.statedIn, record(rid)
            yield from _evidence_triples(iri, s, side.evidence)


def _external(scheme: str, value: str) -> URIRef | None:
    """The IRI of an external identifier, for the schemes we know."""
    templates = {
        "wikidata": "http://www.wikidata.org/entity/{}",
        "huggingface": "https://huggingface.co/{}",
    }
    template = templates.get(scheme)
    if template is None or _IRI_BAD.search(value):
        return None
    return URIRef(template.format(value))


def _sort_key(triple: tuple[Any, Any, Any]) -> tuple[str, str, str]:
    return (triple[0].n3(), triple[1].n3(), triple[2].n3())


def to_rdf(index_or_facts: Index | Facts, base: str = DEFAULT_BASE) -> Graph:
    """The facts as an RDF graph (deterministic: triples are added in sorted order).

    Parameters
    ----------
    index_or_facts
        Validated facts, or their :class:`~lineage.store.index.Index`.
    base
        The IRI that record IRIs start with (``<base>model/<id>``); must end with
        ``/`` or ``#``.

    Raises
    ------
    LineageError
        If ``base`` is not an absolute IRI ending with ``/`` or ``#``.

    Examples
    --------
    >>> from lineage.facts.model import Facts
    >>> len(to_rdf(Facts())) > 0   # the closed vocabularies are always there
    True
    """
    g = _new_graph()
    for triple in sorted(set(triples(index_or_facts, base)), key=_sort_key):
        g.add(triple)
    return g


def to_graph_sorted(graph: Graph) -> Graph:
    """A copy of ``graph`` with our prefixes, triples added in sorted order."""
    g = _new_graph()
    for triple in sorted(graph, key=_sort_key):
        g.add(triple)
    return g


def format_for(path: str | os.PathLike[str] | None, fmt: str | None) -> str:
    """The ``--format`` name for an output file: ``fmt``, or from the suffix.

    Examples
    --------
    >>> format_for("lineage.nt", None)
    'nt'
    >>> format_for(None, None)
    'turtle'
    """
    if fmt is not None:
        if fmt not in FORMATS:
            msg = f"unknown RDF format '{fmt}'; expected one of {', '.join(FORMATS)}"
            raise LineageError(msg)
        return fmt
    if path is None:
        return "turtle"
    suffix = Path(path).suffix.lower()
    for name, (_, suffixes) in FORMATS.items():
        if suffix in suffixes:
            return name
    known = ", ".join(s for _, sufs in FORMATS.values() for s in sufs)
    found = f"'{suffix}'" if suffix else "no suffix"
    msg = f"cannot tell the RDF format of '{path}' ({found}); use --format or one of {known}"
    raise LineageError(msg)


def nt_term(term: Any) -> str:
    r"""A term in N-Triples (and SPARQL) syntax, on one line, specials escaped.

    Examples
    --------
    >>> print(nt_term(Literal('say "hi"\n', lang="en")))
    "say \"hi\"\n"@en
    """
    from rdflib import BNode

    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if term.language:
        return nt_literal(str(term), f"@{term.language}")
    if term.datatype is not None and term.datatype != XSD.string:
        return nt_literal(str(term), f"^^<{term.datatype}>")
    return nt_literal(str(term))


def _ntriples(graph: Graph) -> str:
    return "".join(
        sorted(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n" for s, p, o in graph)
    )


def _has_pyoxigraph() -> bool:
    import importlib.util

    return importlib.util.find_spec("pyoxigraph") is not None


def serialize(
    graph: Graph,
    fmt: str = "turtle",
    graph_iri: str | None = None,
    engine: str | None = None,
) -> str:
    """``graph`` as text in ``fmt`` (a key of :data:`FORMATS`); deterministic.

    N-Triples are sorted lines. TriG puts the triples into the named graph
    ``graph_iri`` (default :data:`DEFAULT_GRAPH`). ``engine`` is ``"oxigraph"``
    or ``"rdflib"``; by default pyoxigraph writes Turtle and TriG when it
    is installed (it is faster, see docs/performance.md) and rdflib the rest.
    """
    fmt = format_for(None, fmt)
    if fmt == "nt":
        return _ntriples(graph)
    if engine is None:
        engine = "oxigraph" if fmt in _OXIGRAPH_WINS and _has_pyoxigraph() else "rdflib"
    if engine == "oxigraph":
        return _oxigraph_serialize(graph, fmt, graph_iri)
    return _rdflib_serialize(graph, fmt, graph_iri)


#: Formats that pyoxigraph writes faster than rdflib (docs/performance.md).
_OXIGRAPH_WINS = frozenset({"turtle", "trig"})


def _oxigraph_serialize(graph: Graph, fmt: str, graph_iri: str | None = None) -> str:
    import pyoxigraph as ox

    formats = {
        "turtle": ox.RdfFormat.TURTLE,
        "jsonld": ox.RdfFormat.JSON_LD,
        "xml": ox.RdfFormat.RDF_XML,
        "trig": ox.RdfFormat.TRIG,
    }
    triples = ox.parse(_ntriples(graph).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    if fmt == "trig":
        name = ox.NamedNode(graph_iri or DEFAULT_GRAPH)
        items: Any = [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]
    else:
        items = list(triples)
    prefixes = {p: u for p, u in sorted(PREFIXES.items())}
    data = ox.serialize(items, format=formats[fmt], prefixes=prefixes)
    assert data is not None
    return data.decode("utf-8")


def _rdflib_serialize(graph: Graph, fmt: str, graph_iri: str | None = None) -> str:
    import warnings

    with warnings.catch_warnings():
        # rdflib 7's TriG and JSON-LD code calls its own deprecated Dataset API
        warnings.simplefilter("ignore", DeprecationWarning)
        if fmt == "nt":
            return _ntriples(graph)
        if fmt == "trig":
            from rdflib import Dataset

            ds = Dataset()
            for prefix, uri in PREFIXES.items():
                ds.bind(prefix, uri)
            named = ds.graph(URIRef(graph_iri or DEFAULT_GRAPH))
            for triple in sorted(graph, key=_sort_key):
                named.add(triple)
            return ds.serialize(format="trig")
        if fmt == "jsonld":
            return graph.serialize(format="json-ld", context=dict(PREFIXES), indent=1)
        return graph.serialize(format=FORMATS[fmt][0])


def write_rdf(
    index_or_facts: Index | Facts | Graph,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    base: str = DEFAULT_BASE,
) -> int:
    """Export to ``path`` atomically; return the number of triples written.

    The text goes to a temporary file in the same directory, which replaces
    ``path`` only when it is complete: a failed export leaves the old file.

    Raises
    ------
    LineageError
        If the format cannot be told from the suffix, or the file cannot be written.
    """
    fmt = format_for(path, fmt)
    graph = (
        index_or_facts
        if isinstance(index_or_facts, Graph)
        else to_rdf(index_or_facts, base)
    )
    text = serialize(graph, fmt)
    target = Path(path)
    write_atomic(target, text)
    return len(graph)


def write_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through a temporary file and ``os.replace``."""
    directory = target.parent if str(target.parent) else Path(".")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=directory
        )
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        msg = f"cannot write '{target}': {exc.strerror or exc}"
        raise LineageError(msg) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


# --- streamed N-Triples ---------------------------------------------------------
#
# ``write_ntriples`` formats the lines of :func:`triples` straight from the records,
# without rdflib terms or an rdflib graph: record IRIs are a precomputed prefix plus
# an id (ids are slugs, checked by the loader), and literals are escaped only when
# a cheap regular-expression test says they need it. See docs/performance.md.

#: Characters a literal must escape (canonical N-Triples: ECHAR, else UCHAR).
_NT_LIT_BAD = re.compile(r'[\x00-\x1f"\\\x7f]')
_NT_LIT_TABLE = {c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F)} | {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}
#: Characters an IRI cannot hold raw (IRIREF); written as UCHAR.
_NT_IRI_TABLE = {c: f"\\u{c:04X}" for c in (*range(0x21), *map(ord, '<>"{}|^`\\'))}

_XSD = "http://www.w3.org/2001/XMLSchema#"
_NT_BOOL = {
    True: f'"true"^^<{_XSD}boolean>',
    False: f'"false"^^<{_XSD}boolean>',
}


def nt_literal(text: str, suffix: str = "") -> str:
    r"""A literal in canonical N-Triples; ``suffix`` is ``@lang`` or ``^^<dt>``.

    Examples
    --------
    >>> print(nt_literal('a "b"\n\x00', "@en"))
    "a \"b\"\n\u0000"@en
    """
    if _NT_LIT_BAD.search(text) is not None:
        text = text.translate(_NT_LIT_TABLE)
    return f'"{text}"{suffix}'


def nt_iri(text: str) -> str:
    r"""An IRI in N-Triples: ``<...>``, characters IRIREF forbids as ``\uXXXX``.

    Examples
    --------
    >>> nt_iri("https://example.org/a b")
    '<https://example.org/a\\u0020b>'
    """
    if _IRI_BAD.search(text) is not None:
        text = text.translate(_NT_IRI_TABLE)
    return f"<{text}>"


def _nt_any(term: Any) -> str:
    """An rdflib term (no blank nodes) in canonical N-Triples."""
    if isinstance(term, URIRef):
        return nt_iri(str(term))
    if term.language:
        return nt_literal(str(term), f"@{term.language}")
    if term.datatype is not None and term.datatype != XSD.string:
        return nt_literal(str(term), f"^^{nt_iri(str(term.datatype))}")
    return nt_literal(str(term))


_NT_DATES: dict[tuple[str | None, str | None], tuple[tuple[str, str], ...]] = {}


def _nt_dates(model: Any) -> tuple[tuple[str, str], ...]:
    """:func:`_model_dates` in N-Triples, cached (release dates repeat)."""
    key = (model.released, model.paper_date)
    out = _NT_DATES.get(key)
    if out is None:
        out = _NT_DATES[key] = tuple(
            (_nt_any(p), _nt_any(o)) for p, o in _model_dates(model)
        )
    return out


class _NT:
    """Precomputed N-Triples spellings of the terms the export uses."""

    def __init__(self, base: str) -> None:
        u = nt_iri
        self.type = u(str(RDF.type))
        self.label = u(str(RDFS.label))
        self.comment = u(str(RDFS.comment))
        self.ident = u(str(DCTERMS.identifier))
        self.issued = u(str(DCTERMS.issued))
        self.description = u(str(DCTERMS.description))
        self.source = u(str(DCTERMS.source))
        self.alt = u(str(SKOS.altLabel))
        self.derived = u(str(PROV.wasDerivedFrom))
        self.qualified = u(str(PROV.qualifiedDerivation))
        self.entity = u(str(PROV.entity))
        self.had_activity = u(str(PROV.hadActivity))
        self.used = u(str(PROV.used))
        self.generated = u(str(PROV.wasGeneratedBy))
        self.attributed = u(str(PROV.wasAttributedTo))
        self.had_member = u(str(PROV.hadMember))
        self.prov_derivation = u(str(PROV.Derivation))
        self.prov_activity = u(str(PROV.Activity))
        self.same_as = u(str(SDO.sameAs))
        self.lin = {name: u(LIN_URI + name) for name, *_ in TERMS}
        self.stage_class = {s: u(str(c)) for s, c in STAGE_CLASSES.items()}
        self.xsd_gyear = f"^^<{_XSD}gYear>"
        b = nt_iri(base)[:-1]  # "<base" without the closing ">"
        self.pre = {
            kind: f"{b}{kind}/"
            for kind in (
                "source",
                "stage",
                "capability",
                "family",
                "model",
                "derivation",
                "claim",
                "figure",
                "emergence",
                "organization",
            )
        }


def _nt_chunks(index_or_facts: Index | Facts, base: str) -> Iterator[tuple[str, int]]:
    """The lines of the export as (text, number of lines) chunks, in record order.

    The same triples as ``set(triples(...))``: the few places where
    :func:`triples` can repeat a triple (repeated authors or aliases, two
    derivations of one parent/child pair, organisations whose names give one
    slug) are de-duplicated locally, without a set of every line.
    """
    from ..store.index import Index

    facts = _facts_of(index_or_facts)
    check_base(base)
    t = _NT(base)
    pre = t.pre
    lin = t.lin
    type_, ident, comment, source_p = t.type, t.ident, t.comment, t.source
    out: list[str] = []
    add = out.append
    # Lines are counted without scanning the text: every add() is one line except
    # the multi-line ones, which add their extra lines here (a test checks the
    # count against the file).
    extra = 0

    def flush() -> tuple[str, int]:
        nonlocal extra
        lines = len(out) + extra
        extra = 0
        text = "".join(out)
        out.clear()
        return text, lines

    def sub(rid: str) -> str:  # iri.subject
        if rid in facts.models:
            return f"{pre['model']}{rid}>"
        if rid in facts.families:
            return f"{pre['family']}{rid}>"
        return f"{pre['source']}{rid}>"

    src_iri: dict[str, str] = {}

    def source(rid: str) -> str:
        s = src_iri.get(rid)
        if s is None:
            s = src_iri[rid] = f"{pre['source']}{rid}>"
        return s

    def evidence(owner: str, items: Iterable[Any]) -> None:
        # owner is "<...>"; nodes are "<owner/evidence/n>"
        stem = owner[:-1]
        for n, ev in enumerate(items, 1):
            node = f"{stem}/evidence/{n}>"
            add(f"{owner} {lin['evidence']} {node} .\n")
            add(f"{node} {type_} {lin['Evidence']} .\n")
            add(f"{node} {source_p} {source(ev.source)} .\n")
            add(f"{node} {lin['locator']} {nt_literal(ev.locator)} .\n")
            add(f"{node} {comment} {nt_literal(ev.note)} .\n")

    def triple(s: Any, p: Any, o: Any) -> None:
        add(f"{_nt_any(s)} {_nt_any(p)} {_nt_any(o)} .\n")

    for s, p, o in _closed_triples():
        triple(s, p, o)

    for src in facts.sources.values():
        s = source(src.id)
        add(f"{s} {type_} {lin['Source']} .\n")
        add(f"{s} {ident} {nt_literal(src.id)} .\n")
        add(f"{s} {_nt_any(DCTERMS.title)} {nt_literal(src.title)} .\n")
        for author in dict.fromkeys(src.authors):
            add(f"{s} {_nt_any(DCTERMS.creator)} {nt_literal(author)} .\n")
        add(f"{s} {t.issued} {nt_literal(str(src.year), t.xsd_gyear)} .\n")
        url = nt_iri(src.url) if not _IRI_BAD.search(src.url) else nt_literal(src.url)
        add(f"{s} {_nt_any(SDO.url)} {url} .\n")
        authors = ", ".join(src.authors)
        cite = nt_literal(f"{authors} ({src.year}). {src.title}. {src.url}")
        add(f"{s} {_nt_any(DCTERMS.bibliographicCitation)} {cite} .\n")
        if src.kind:
            add(f"{s} {_nt_any(DCTERMS.type)} {nt_literal(src.kind)} .\n")
            schema_type = {
                "paper": SDO.ScholarlyArticle,
                "preprint": SDO.ScholarlyArticle,
                "blog": SDO.BlogPosting,
                "documentation": SDO.TechArticle,
            }.get(src.kind)
            if schema_type is not None:
                add(f"{s} {type_} {_nt_any(schema_type)} .\n")
        if src.translation:
            add(f"{s} {lin['translation']} {nt_literal(src.translation)} .\n")
        if src.version_of:
            add(f"{s} {_nt_any(DCTERMS.isVersionOf)} {source(src.version_of)} .\n")
        if src.note:
            add(f"{s} {comment} {nt_literal(src.note)} .\n")

    # the small sections go through rdflib terms (a few hundred records at most)
    small = Facts(
        stages=facts.stages,
        capabilities=facts.capabilities,
        families=facts.families,
    )
    seen = set()
    for s, p, o in triples(small, base):
        if isinstance(s, URIRef) and s.startswith(LIN_URI):
            continue  # the closed vocabularies, written above
        key = (s, p, o)
        if key in seen:
            continue
        seen.add(key)
        triple(s, p, o)
    del seen
    yield flush()

    orgs: dict[str, str] = {}
    org_types: set[str] = set()
    for fam in facts.families.values():  # organisations met so far, by name
        if fam.organization and fam.organization not in orgs:
            orgs[fam.organization] = f"{pre['organization']}{_slug(fam.organization)}>"
            org_types.add(orgs[fam.organization])

    def organization(name: str) -> str:
        o = orgs.get(name)
        if o is None:
            o = orgs[name] = f"{pre['organization']}{_slug(name)}>"
            if o not in org_types:
                org_types.add(o)
                add(f"{o} {type_} {_nt_any(PROV.Organization)} .\n")
                add(f"{o} {type_} {_nt_any(SDO.Organization)} .\n")
            add(f"{o} {t.label} {nt_literal(name)} .\n")
        return o

    model_pre, fam_pre = pre["model"], pre["family"]
    search = _NT_LIT_BAD.search
    ev_p, ev_t, loc_p = lin["evidence"], lin["Evidence"], lin["locator"]

    def ev_block(owner: str, items: tuple[Any, ...]) -> str:
        """The lines of the evidence of ``owner`` (``"<...>"``), as one string."""
        stem = owner[:-1]
        parts = []
        for n, ev in enumerate(items, 1):
            node = f"{stem}/evidence/{n}>"
            loc, note = ev.locator, ev.note
            loc = f'"{loc}"' if search(loc) is None else nt_literal(loc)
            note = f'"{note}"' if search(note) is None else nt_literal(note)
            parts.append(
                f"{owner} {ev_p} {node} .\n{node} {type_} {ev_t} .\n"
                f"{node} {source_p} {source(ev.source)} .\n"
                f"{node} {loc_p} {loc} .\n{node} {comment} {note} .\n"
            )
        return "".join(parts)

    p_model_type, p_label = lin["Model"], t.label
    for k, model in enumerate(facts.models.values()):
        mid = model.id
        m = f"{model_pre}{mid}>"
        name = model.name
        name = f'"{name}"' if search(name) is None else nt_literal(name)
        # ids are slugs (the loader checks): no escaping needed
        add(
            f'{m} {type_} {p_model_type} .\n{m} {ident} "{mid}" .\n{m} {p_label} {name} .\n'
        )
        extra += 2
        for alias in dict.fromkeys(model.aliases):
            add(f"{m} {t.alt} {nt_literal(alias, '@' + _lang(alias))} .\n")
        if model.family and model.family in facts.families:
            f = f"{fam_pre}{model.family}>"
            add(f"{m} {lin['family']} {f} .\n{f} {t.had_member} {m} .\n")
            extra += 1
        if model.organization:
            o = organization(model.organization)
            add(f"{m} {t.attributed} {o} .\n")
        for pred, value in _nt_dates(model):
            add(f"{m} {pred} {value} .\n")
        for paper in model.papers:
            add(f"{m} {lin['paper']} {source(paper)} .\n")
        for other in model.approximations:
            add(f"{sub(other)} {lin['approximates']} {m} .\n")
        if model.description:
            add(f"{m} {t.description} {nt_literal(model.description, '@en')} .\n")
        if model.training_data:
            data = nt_literal(model.training_data, "@en")
            add(f"{m} {lin['trainingData']} {data} .\n")
        links = (_external(scheme, value) for scheme, value in model.external_ids)
        for link in dict.fromkeys(x for x in links if x is not None):
            add(f"{m} {t.same_as} {nt_iri(str(link))} .\n")
        if model.evidence:
            add(ev_block(m, model.evidence))
            extra += 5 * len(model.evidence) - 1
        if k % 4096 == 4095:
            yield flush()
    yield flush()

    if isinstance(index_or_facts, Index):
        parents: dict[str, Any] = index_or_facts.parents
    else:
        parents = {}
        for der in facts.derivations.values():
            parents.setdefault(der.child, []).append(der)
    pairs: set[tuple[str, str]] = set()
    der_pre = pre["derivation"]
    stage_iri = {s: f"{pre['stage']}{s.value}>" for s in Stage}
    conf = {c: lin[c.value] for c in Confidence}
    derived, qualified, generated = t.derived, t.qualified, t.generated
    p_der, l_der, entity, had_act = (
        t.prov_derivation,
        lin["Derivation"],
        t.entity,
        t.had_activity,
    )
    p_conf, p_act, used, p_stage = (
        lin["confidence"],
        t.prov_activity,
        t.used,
        lin["stage"],
    )
    # the activity lines of each stage, less the subject and the parent
    act_lines = {
        s: (
            f" {type_} {p_act} .\n",
            f" {type_} {t.stage_class[s]} .\n",
            f" {p_stage} {stage_iri[s]} .\n",
        )
        for s in Stage
    }
    for k, der in enumerate(facts.derivations.values()):
        parent = f"{model_pre}{der.parent}>"
        child = f"{model_pre}{der.child}>"
        did = der.id
        d = f"{der_pre}{did}>"
        act = f"{der_pre}{did}/activity>"
        if len(parents.get(der.child, ())) < 2:
            add(f"{child} {derived} {parent} .\n")
        elif (der.child, der.parent) not in pairs:
            pairs.add((der.child, der.parent))
            add(f"{child} {derived} {parent} .\n")
        add(
            f"{child} {qualified} {d} .\n{d} {type_} {p_der} .\n{d} {type_} {l_der} .\n"
            f'{d} {ident} "{did}" .\n{d} {entity} {parent} .\n'
            f"{d} {had_act} {act} .\n{d} {p_conf} {conf[der.confidence]} .\n"
        )
        extra += 6
        if der.note:
            add(f"{d} {comment} {nt_literal(der.note, '@en')} .\n")
        if der.evidence:
            add(ev_block(d, der.evidence))
            extra += 5 * len(der.evidence) - 1
        a1, a2, a3 = act_lines[der.stage]
        add(
            f"{act}{a1}{act}{a2}{act}{a3}{act} {used} {parent} .\n"
            f"{child} {generated} {act} .\n"
        )
        extra += 4
        if k % 4096 == 4095:
            yield flush()
    del pairs
    yield flush()

    claim_pre = pre["claim"]
    cap_iri = {c: f"{pre['capability']}{c}>" for c in facts.capabilities}
    effect = {e: lin[e.value] for e in Effect}
    mech = {e: lin[e.value] for e in Mechanism}
    p_model, p_cap, p_effect = lin["model"], lin["capability"], lin["effect"]
    p_contested, p_claim = lin["contested"], lin["Claim"]
    model_iri = facts.models
    for k, claim in enumerate(facts.claims.values()):
        cid = claim.id
        c = f"{claim_pre}{cid}>"
        about = claim.model
        about = f"{model_pre}{about}>" if about in model_iri else sub(about)
        cap = cap_iri.get(claim.capability) or f"{pre['capability']}{claim.capability}>"
        add(
            f'{c} {type_} {p_claim} .\n{c} {ident} "{cid}" .\n{c} {p_model} {about} .\n'
            f"{c} {p_cap} {cap} .\n{c} {p_effect} {effect[claim.effect]} .\n"
        )
        extra += 4
        if claim.stage is not None:
            add(f"{c} {p_stage} {stage_iri[claim.stage]} .\n")
        add(f"{c} {p_conf} {conf[claim.confidence]} .\n")
        if claim.mechanism is not None:
            add(f"{c} {lin['mechanism']} {mech[claim.mechanism]} .\n")
        if claim.alternative_to:
            add(f"{c} {lin['alternativeTo']} {claim_pre}{claim.alternative_to}> .\n")
        add(f"{c} {p_contested} {_NT_BOOL[bool(claim.contested)]} .\n")
        if claim.note:
            add(f"{c} {comment} {nt_literal(claim.note, '@en')} .\n")
        if claim.evidence:
            add(ev_block(c, claim.evidence))
            extra += 5 * len(claim.evidence) - 1
        if k % 4096 == 4095:
            yield flush()
    yield flush()

    for fig in facts.figures.values():
        f = f"{pre['figure']}{fig.id}>"
        add(f"{f} {type_} {lin['Figure']} .\n")
        add(f"{f} {type_} {_nt_any(SDO.PropertyValue)} .\n")
        add(f"{f} {ident} {nt_literal(fig.id)} .\n")
        add(f"{f} {_nt_any(SDO.about)} {sub(fig.subject)} .\n")
        add(f"{f} {_nt_any(SDO.propertyID)} {nt_literal(fig.property)} .\n")
        add(f"{f} {_nt_any(SDO.value)} {_nt_any(_number(fig.value))} .\n")
        add(f"{f} {_nt_any(SDO.unitText)} {nt_literal(fig.unit)} .\n")
        if fig.qualifier:
            add(f"{f} {lin['qualifier']} {nt_literal(fig.qualifier)} .\n")
        add(f"{f} {source_p} {source(fig.source)} .\n")
        add(f"{f} {lin['locator']} {nt_literal(fig.locator)} .\n")
        if fig.note:
            add(f"{f} {comment} {nt_literal(fig.note, '@en')} .\n")
    yield flush()

    setting = {x: lin[x.value] for x in Setting}
    for row in facts.emergence.values():
        e = f"{pre['emergence']}{row.id}>"
        add(f"{e} {type_} {lin['Emergence']} .\n")
        add(f"{e} {ident} {nt_literal(row.id)} .\n")
        add(f"{e} {lin['capability']} {pre['capability']}{row.capability}> .\n")
        add(f"{e} {lin['task']} {nt_literal(row.task)} .\n")
        add(f"{e} {lin['setting']} {setting[row.setting]} .\n")
        add(f"{e} {lin['model']} {sub(row.model)} .\n")
        if row.training_flops is not None:
            flops = _nt_any(_double(row.training_flops))
            add(f"{e} {lin['trainingFlops']} {flops} .\n")
        if row.parameters is not None:
            add(f"{e} {lin['parameters']} {_nt_any(_double(row.parameters))} .\n")
        if row.reference:
            cite = _nt_any(DCTERMS.bibliographicCitation)
            add(f"{e} {cite} {nt_literal(row.reference)} .\n")
        add(f"{e} {source_p} {source(row.source)} .\n")
        add(f"{e} {lin['locator']} {nt_literal(row.locator)} .\n")
        if row.note:
            add(f"{e} {comment} {nt_literal(row.note, '@en')} .\n")
    for s, p, o in conflict_triples(facts, _Ids(base, facts)):
        triple(s, p, o)
    yield flush()


def write_ntriples(
    index_or_facts: Index | Facts,
    path: str | os.PathLike[str],
    base: str = DEFAULT_BASE,
) -> int:
    """Stream the export to ``path`` as N-Triples; return the number of triples.

    The same triples as :func:`to_rdf` (no blank nodes), formatted straight
    from the records without building an rdflib graph, so memory does not grow
    with the output: one line per triple, canonical escaping, in record order
    (deterministic: the facts keep file order). The file is written atomically
    (a temporary file in the same directory, then ``os.replace``); a failed
    export leaves the old file. The garbage collector is paused meanwhile.

    Raises
    ------
    LineageError
        If ``base`` is not a valid base IRI, or the file cannot be written.

    Examples
    --------
    >>> import tempfile, os
    >>> from lineage.facts.model import Facts
    >>> target = os.path.join(tempfile.mkdtemp(), "empty.nt")
    >>> write_ntriples(Facts(), target) == len(to_rdf(Facts()))
    True
    """
    import gc

    check_base(base)
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    tmp = None
    paused = gc.isenabled()
    gc.disable()
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=directory
        )
        with os.fdopen(fd, "wb", buffering=0) as handle:
            count = _write_overlapped(_nt_chunks(index_or_facts, base), handle)
        os.replace(tmp, target)
        tmp = None
        return count
    except OSError as exc:
        msg = f"cannot write '{target}': {exc.strerror or exc}"
        raise LineageError(msg) from None
    finally:
        if paused:
            gc.enable()
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _write_overlapped(chunks: Iterator[tuple[str, int]], handle: Any) -> int:
    """Write encoded chunks from a second thread while the next ones are made.

    ``write`` releases the GIL, so on two cores formatting and writing overlap
    (about 1.5x faster than writing in line). Errors of either side propagate.
    """
    import queue
    import threading

    pending: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
    failure: list[BaseException] = []

    def writer() -> None:
        while (data := pending.get()) is not None:
            if not failure:
                try:
                    handle.write(data)
                except BaseException as exc:  # noqa: BLE001 - re-raised below
                    failure.append(exc)

    thread = threading.Thread(target=writer, name="write_ntriples", daemon=True)
    thread.start()
    count = 0
    try:
        for text, n in chunks:
            if failure:
                break
            pending.put(text.encode("utf-8"))
            count += n
    finally:
        pending.put(None)
        thread.join()
    if failure:
        raise failure[0]
    return count


def stream_ntriples(
    index_or_facts: Index | Facts, handle: Any, base: str = DEFAULT_BASE
) -> int:
    """Write the N-Triples of :func:`write_ntriples` to a text ``handle``."""
    check_base(base)
    count = 0
    for text, n in _nt_chunks(index_or_facts, base):
        handle.write(text)
        count += n
    return count
