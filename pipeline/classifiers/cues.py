"""Cue vocabularies of the role rules, each tied to the spec rule (STANCE-SPEC v2) or guide section it encodes.

Sources: the spec's rules and worked examples, the annotation guide's cue table and rules (§2, §3, R1-R12),
and general English (inflections, synonyms). Never the labels of individual gold units.
"""

from __future__ import annotations


def _forms(*stems: str) -> frozenset[str]:
    return frozenset(w for stem in stems for w in stem.split())


# Rule 1 / guide §3.6: acts with an aggressor and a victim. Loaded words count even in history (guide R7).
LOADED_ACTS = _forms(
    "aggression aggressions aggressor aggressors invasion invasions invade invades invaded invading invader invaders",
    "occupation occupy occupies occupied occupying occupier occupiers annexation annex annexes annexed annexing",
    "capture captured seizure seize seized seizing atrocities atrocity war-crimes",
)
#: acts that are loaded only with an explicit aggressor or a target as victim ("war against Ukraine");
#: "the Japan-Russia war in 1904" or "declared war on Japan" stays plain history (guide §3.3, R7)
WEAK_ACTS = _forms(
    "war wars attack attacks attacked attacking bombing bombings bombed shelling shelled strikes "
    "full-scale-war blockade"
)
#: nominalisations whose "of" phrase names the victim ("invasion of Ukraine"); for the others it names the agent
#: ("aggression of Russia against Ukraine")
OBJECT_NOMINALS = _forms("invasion invasions occupation annexation capture seizure bombing shelling blockade")
VICTIM_PREPOSITIONS = _forms("against on upon into in over")
AGENT_PREPOSITIONS = _forms("by from")
PASSIVE_AUX = _forms("was were is are been being be")

# Rule 7: aid, assistance or support given to a target, including a bare amount.
AID_NOUNS = _forms(
    "aid aids assistance support help funding financing donation donations grant grants loan loans "
    "package packages supplies equipment weapons arms ammunition contribution contributions relief "
    "reconstruction recovery rebuilding demining humanitarian oda backing backer backers"
)
AID_VERBS = _forms(
    "support supports supported supporting help helps helped helping assist assists assisted assisting "
    "aid aided aiding fund funds funded funding finance financed provide provides provided providing "
    "give gives gave given giving send sends sent sending deliver delivers delivered delivering "
    "allocate allocates allocated allocating donate donates donated donating pledge pledges pledged "
    "pledging supply supplies supplied supplying extend extends extended extending contribute "
    "contributes contributed contributing back backs backed backing"
)
RECEIVE_VERBS = _forms("receive receives received receiving obtain obtained got gets")
AMOUNT_WORDS = _forms("usd $ yen jpy eur euro euros dollars million billion trillion")
#: praise that makes aid or cooperation "presented as good" (guide R6, §3.7; spec rule 7 "robust, flourishing, a
#: breakthrough, great potential")
PRAISE = _forms(
    "substantial significant generous robust crucial pivotal vital invaluable unwavering unprecedented "
    "steadfast staunch wholehearted strong firm key important major considerable essential timely "
    "decisive comprehensive flourishing breakthrough potential best fruitful successful constructive "
    "promising excellent valuable reliable trusted trust close special strategic mutually beneficial "
    "win-win linchpin bridge good-neighborly genuinely friendly positive hopeful sensible"
)

# Rule 8: measures against a target.
MEASURE_NOUNS = _forms(
    "sanction sanctions restriction restrictions embargo embargoes ban bans freeze freezes "
    "expulsion expulsions condemnation condemnations pressure isolation penalties measures "
    "controls cap"
)
MEASURE_VERBS = _forms(
    "sanction sanctioned sanctioning condemn condemns condemned condemning expel expels expelled "
    "expelling freeze freezes froze frozen freezing ban bans banned isolate isolates isolated "
    "isolating punish punishes punished punishing restrict restricted penalize penalized "
    "penalise penalised pressure pressured pressuring deter deterred deterring"
)
MEASURE_PREPOSITIONS = _forms("on against toward towards targeting over upon")
#: the article endorses the measure or calls it necessary
ENDORSE = _forms(
    "necessary must should need needed needs rightly justified justifiable firm firmly stringent tough "
    "strong strongly decisive decisively solidarity united unity principled uphold upholding "
    "accountable deserve deserves deserved appropriate legitimate proportionate swift swiftly"
)
#: the article finds the measure too weak (guide R5: an evaluative word or an in-sentence contrast)
TOO_WEAK = _forms(
    "weak weaker soft softer reluctant reluctantly symbolic toothless limited lenient insufficient "
    "half-hearted timid muted mild token loopholes hesitant hesitantly belated belatedly inadequate "
    "modest cosmetic watered-down"
)
#: the article presents the measure as harmful, self-defeating or best lifted (favor the target)
HARMFUL = _forms(
    "harmful self-defeating counterproductive counter-productive damage damaged damaging hurt hurts "
    "costly losses loss prejudiced lifting lift lifted detrimental pointless unfair futile "
    "confrontational confrontation surreptitious"
)

# Rule 9 / guide R3, R10: how others treat the target.
ENGAGEMENT_NOUNS = _forms(
    "cooperation partnership partnerships relations relationship ties dialogue engagement "
    "engagements rapprochement contacts normalization normalisation talks negotiations "
    "friendship collaboration exchanges agreement agreements partner partners alliance"
)
TREATMENT_NOUNS = _forms("response responses approach policy policies stance attitude position reaction")
#: engagement framed as futile, naive or an obstacle; leniency called weak (against the target)
FUTILE = _forms(
    "futile naive vain fruitless illusory illusion illusions obstacle obstacles bait appeasement "
    "wishful unrealistic stalled deadlock deadlocked failed failure weak soft lenient timid muted "
    "complacent complacency dubious"
)

# Rules 1 and 4: evaluative words about the target itself, in the author's voice (guide §2 cue table).
EVAL_FAVOR = _forms(
    "friendly friendship good-neighborly neutral-friendly sovereignty integrity independence "
    "democratic democracy resilience resilient sympathy trust trustworthy reliable constructive "
    "legitimate rightly victim victims brave bravery courage courageous heroic heroically pivotal "
    "crucial linchpin unwavering restraint restrained responsible peaceful principled balanced "
    "deliberate pragmatic goodwill respect admirable ready willing"
)
EVAL_AGAINST = _forms(
    "threat threats threaten threatens threatening hostile hostility blame blamed blameworthy "
    "illegal illegally unlawful unlawfully violation violations violate violated violates brutal "
    "brutality atrocities crimes criminal unreliable revisionist dubious propaganda provocation "
    "provocations provocative destabilizing destabilising destabilize destabilise aggressive "
    "coercion coercive bait authoritarian wrongdoings disinformation corruption betrayal "
    "intransigent intransigence outrageous accountable blackmail expansionist imperial "
    "imperialist terror terrorism genocide ruthless lies manipulation interference meddling "
    "militarism belligerent reckless barbaric unacceptable menace adversary hegemonic"
)
#: per-target word choice (spec rule 1, guide §3.3): (target, direction, words)
TARGET_CUES = (
    ("russia", "favor", frozenset({"reunification"})),
    ("ukraine", "against", frozenset({"reunification"})),
    ("ukraine", "favor", frozenset({"self-proclaimed", "non-recognition"})),
)
NEGATIONS = _forms("not no never without nor neither hardly lack lacks lacked")
#: the author distances from the word that follows (rule 2, guide R8)
DISTANCE = _forms("claimed claims claim alleged allegedly purported purportedly so-called supposedly")
REPORTING = _forms(
    "said says stated states argued argues noted notes believes believe according announced "
    "declared emphasised emphasized stressed reported claimed claims regards perceives sees"
)
#: neutral names of the conflict (rule 9, guide §2 "neutral euphemisms")
EUPHEMISM_HEADS = _forms("crisis situation events issue problem conflict question")
STATISTIC_WORDS = _forms(
    "% percent per trade import imports export exports largest share ranked volume volumes gdp turnover surplus deficit"
)
FUNCTION_WORDS = _forms("the a an this that these those its their his her our its whole entire its")
AUXILIARIES = _forms(
    "has have had also then later soon again already effectively subsequently first once "
    "did does do will would could might may can has-been"
)

# Rule 6 / guide §4.1: the kinds of fact into which the author's argument carries (spec rules 7-9: aid,
# cooperation / agreements / visits, measures, engagement, failures), and the words that tie a fact to an
# evaluation in its paragraph ("This included ...", "Hence ...", "Thus ..."). Trade, investment and headcount
# figures are statistics (guide §4.1) and are no carrier.
CARRIERS = {
    "measure": MEASURE_NOUNS | MEASURE_VERBS,
    "aid": AID_NOUNS | AID_VERBS,
    "cooperation": _forms(
        "cooperation cooperate cooperated cooperating partnership partnerships agreement "
        "agreements agreed agree signed sign signing memorandum memoranda treaty accord visit "
        "visits visited visiting summit summits met meet meeting meetings conference delegation "
        "joint exchange exchanges opened launched established project projects initiative "
        "initiatives"
    ),
    "engagement": _forms(
        "dialogue talks negotiations negotiation engagement engage engaged engaging rapprochement "
        "relations relationship ties contacts normalization normalisation balance balancing "
        "approach policy diplomacy diplomatic"
    ),
    "failure": _forms(
        "failed fail fails failure failures nothing refused refuse refuses rejected reluctance "
        "unwilling stalled deadlock insignificant unable obstacle obstacles"
    ),
}
TIES = _forms("this these such thus hence therefore consequently accordingly included includes including")
#: any evaluative word: the author evaluates something in a paragraph that uses one (rule 6)
EVALUATIVE = (PRAISE | ENDORSE | TOO_WEAK | HARMFUL | FUTILE | EVAL_FAVOR | EVAL_AGAINST | LOADED_ACTS) - _forms(
    "key major strong close special strategic potential"
)  # mostly descriptive outside a cooperation clause
