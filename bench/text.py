"""Plausible text of plausible length for the benchmark's engagements, drawn from the borough's own kind of
work (the toolkit tests, place-based neighbourhood work, the prevention building blocks). Every choice goes
through the caller's seeded `random.Random`, so the same seed writes the same words.

Nothing here looks like personal data: no e-mail addresses, phone numbers, postcodes or people's names.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    stem: str
    subject: str  # what the work is about, in a phrase that fits "how we ... {subject}"
    service: str
    themes: tuple[str, ...]
    hooks: tuple[str, ...]


TOPICS = [
    Topic("Mental health pathways", "move between community support and mental health services",
          "mental health services", ("Having services that meet needs", "Improving our internal thinking"),
          ("The borough's locality plan", "Mental health commissioning intentions")),
    Topic("Self-care in everyday life", "look after their own health and wellbeing", "the self-care programme",
          ("An active life", "Education and learning"), ("The borough self-care policy", "The prevention strategy")),
    Topic("Urgent care redesign", "get care urgently when it is not an emergency", "walk-in and out-of-hours care",
          ("Having services that meet needs",), ("Urgent care redesign programme", "The borough's locality plan")),
    Topic("Loneliness and staying connected", "stay connected with friends, neighbours and groups",
          "befriending and social prescribing", ("Culture and social life", "Having good relationships in a good home"),
          ("The prevention strategy", "Social prescribing service review")),
    Topic("Early help for families", "find help early, before things reach a crisis", "family hubs",
          ("Good start and early years", "Having good relationships in a good home"),
          ("Family hubs programme", "Children and young people's plan")),
    Topic("Money advice that reaches people", "get advice on debt, benefits and bills", "money and debt advice",
          ("Meaningful occupation and sufficient income",),
          ("Cost of living action plan", "The anti-poverty strategy")),
    Topic("Warm and safe homes", "keep their homes warm, dry and safe", "housing repairs and energy advice",
          ("Protection from hazards", "Having good relationships in a good home"),
          ("Housing strategy refresh", "Affordable warmth programme")),
    Topic("Parks and green spaces", "use and look after their local parks", "parks and open spaces",
          ("Neighbourhood and environment", "An active life"), ("Green spaces strategy", "Local plan review")),
    Topic("Learning and digital skills", "learn new skills, online and in person", "adult and community learning",
          ("Education and learning", "Meaningful occupation and sufficient income"),
          ("Adult learning plan", "Digital inclusion strategy")),
    Topic("Breaks for unpaid carers", "get a break from caring and still feel the person is safe",
          "respite and carers' support",
          ("Having good relationships in a good home", "Having services that meet needs"),
          ("Carers' strategy", "Adult social care market position statement")),
    Topic("Young people's wellbeing", "ask for help with how they feel", "children and young people's mental health",
          ("Good start and early years", "Having services that meet needs"),
          ("Children and young people's plan", "Mental health commissioning intentions")),
    Topic("Community food and pantries", "get good food at a fair price, close to home", "food pantries",
          ("Meaningful occupation and sufficient income", "Neighbourhood and environment"),
          ("Food strategy", "Cost of living action plan")),
    Topic("Trauma-informed front doors", "are met when they first ask a service for help",
          "council and NHS front doors",
          ("Improving our internal thinking", "Having services that meet needs"),
          ("Workforce development plan", "The prevention strategy")),
    Topic("Staying well at home", "stay well and independent at home as they get older", "home care and reablement",
          ("Having services that meet needs", "An active life"), ("Home care recommissioning", "Ageing well plan")),
    Topic("Safer streets", "feel safe walking in their neighbourhood after dark", "community safety",
          ("Protection from hazards", "Neighbourhood and environment"),
          ("Community safety partnership plan", "Local plan review")),
    Topic("Routes into work", "find work that fits their health and caring", "employment support",
          ("Meaningful occupation and sufficient income", "Education and learning"),
          ("Inclusive economy strategy", "Work and health programme")),
]

GROUPS = ["carers", "people living alone", "people on low incomes", "young people", "older people",
          "people with long-term conditions", "refugees and people seeking asylum", "disabled people",
          "people with lived experience of mental ill health", "parents of young children",
          "people who rarely take part", "faith communities", "people with no digital access", "young carers"]
VENUES = ["community centre", "library", "church hall", "mosque", "family hub", "leisure centre", "lunch club",
          "food pantry", "GP surgery waiting room", "market", "school gate", "sheltered housing lounge",
          "youth club", "allotment", "children's centre", "bowling club"]
FINDINGS = [
    "it's all about relationships: people stay with the group that knows them by name",
    "prevention and response work best when they are joined up around the whole person",
    "people are told they are too complex for one service and not unwell enough for the next",
    "advice changes so often that people stop trusting any of it",
    "the cost of the bus stops people joining activities that would help them",
    "people hear about help where they already are, not from leaflets",
    "insight from earlier engagement was never shared, so people were asked the same questions again",
    "timescales were too short for people to get involved in a meaningful way",
    "a named worker who stays with a person matters more than the number of services on offer",
    "confident and hopeful practice, not writing people off, changes what people try next",
    "people want to help each other but need a room, a kettle and someone to unlock the door",
    "thresholds leave people waiting until things reach a crisis",
    "staff want to refer people on but do not know what the community offers this week",
    "trust is built over months, and short projects spend it faster than they earn it",
    "new opportunities for people, not just services, are what keep them well",
    "building self-efficacy, one small step at a time, lasts longer than one-off advice",
    "a strong and supported workforce is the first thing residents notice",
    "forms and letters written for the service, not for the person, put people off",
]
BLOCKERS = [
    "Support is organised around single issues rather than the whole person.",
    "Thresholds leave people \u2018too complex\u2019 for any one service.",
    "Timescales are too short for meaningful engagement.",
    "Insight from earlier engagement is not shared, so work is repeated.",
    "Funding rules stop partners paying for the bus fares and childcare that would let people take part.",
    "Referral routes close at five o'clock, when many people first ask for help.",
]
CHANGES = [
    "a named community connector who stays with a person across services",
    "drop-in sessions in places people already go, at times that suit them",
    "a shared, up-to-date directory of what the community offers this week",
    "peer supporters paid for their time and trained alongside staff",
    "letters rewritten with residents, in plain English",
    "a small grants pot that local groups can draw on without a long form",
    "one conversation that covers housing, money and health together",
    "transport to activities for people who cannot get there otherwise",
    "a welcome pack written by people who have used the service",
    "evening and weekend sessions run by the partner's volunteers",
]
OPENERS = ["We", "Together we", "The partners", "Our VCFSE partner and the council", "The steering group"]
VERBS = ["ran", "held", "hosted", "co-ran", "organised"]
ACTIVITY_TITLES = [
    "Grassroot gathering at the {venue}", "Conversation café at the {venue}", "Drop-in session at the {venue}",
    "Walk and talk from the {venue}", "Creative workshop at the {venue}", "Listening stall at the {venue}",
    "Peer research interviews", "Online survey with {group}", "Ideas Shop with {group}",
    "Outreach visits with {group}", "Story circle at the {venue}", "Community meal at the {venue}",
]
OUTPUT_TITLES = ["What we heard: a report", "Findings in pictures", "A short film of the gatherings",
                 "Toolkit for running conversation cafés", "Case study: {place}", "The data we gathered",
                 "Presentation to the board", "Policy change agreed by the board"]
UPDATE_TEMPLATES = [
    "First gathering held at the {venue} in {place}: {n} people came and stayed for the whole evening.",
    "We met the programme board and shared what people told us so far about {service}.",
    "The partner's volunteers have started visiting {group} at the {venue}.",
    "Planned tests agreed at the Ideas Shop; the first starts next month.",
    "A slower month: we moved the sessions out of the school holidays, as the agreement says.",
    "We have heard from {n} people so far, many of them {group}.",
    "The report is drafted and has gone back to the people who took part to check we got it right.",
    "Thank you to everyone who came to the {venue} in {place}; the next session is on the usual day.",
]
COMMITMENT_ACTIONS = [
    "Keep the {venue} in {place} open on two evenings a week",
    "Train front-line staff in {service} with {group} as co-trainers",
    "Fund the partner's volunteers to keep visiting {group} for another year",
    "Put a named contact for {service} in every GP practice in {place}",
    "Rewrite the letters about {service} with the people who receive them",
    "Report back to the people who took part at the {venue} in six months",
    "Add the peer support offer to the commissioning plan for {service}",
    "Run the drop-in at the {venue} in {place} every month",
]
COMMITMENT_UPDATES = [
    "The board agreed the budget for this at its last meeting.",
    "Two of the {n} sessions have run at the {venue}; people who took part in the engagement helped plan them.",
    "We have met the partner to agree who does what, and set the dates.",
    "Started in {place}; the first month's feedback is being collected by the partner's volunteers.",
    "Done: it is now part of how {service} works, and we have told the people who took part.",
    "Delayed while the new contract is agreed; we expect to start again soon.",
]
GET_INVOLVED = [
    "Come to the next gathering at the {venue} in {place}. You do not need to have used any service, and "
    "there is food and a crèche.",
    "Tell us what would help by visiting a session at the {venue}, or ask your local group to invite us.",
    "The work is finished, but the partner's network still meets monthly at the {venue}: everyone is "
    "welcome.",
    "Join the reference group of {group} that reads our drafts before anything is decided.",
]


class Writer:
    """Writes the text of one benchmark database, with its own random number generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def pick(self, items: list | tuple):
        return self.rng.choice(items)

    def some(self, items: list | tuple, low: int, high: int) -> list:
        return self.rng.sample(list(items), k=min(len(items), self.rng.randint(low, high)))

    def fill(self, template: str, place: str, topic: Topic) -> str:
        return template.format(venue=self.pick(VENUES), place=place, group=self.pick(GROUPS),
                               service=topic.service, n=self.rng.randint(8, 60))

    def finding(self) -> str:
        text = self.pick(FINDINGS)
        return text[0].upper() + text[1:] + "."

    def summary(self, topic: Topic, place: str) -> str:
        return (f"How people in {place} {topic.subject}, and what would make it easier. "
                f"We are working it out with {self.pick(GROUPS)} and the organisations they trust, "
                f"not just asking them about it. " + self.pick([
                    "What we learn goes straight to the people who decide how the service is run.",
                    "Everything we find is published here as we go.",
                    f"The work builds on what {self.pick(GROUPS)} told an earlier engagement.",
                ]))

    def challenge(self, topic: Topic, place: str) -> str:
        return (f"People who need {topic.service} in {place} are often passed between organisations. "
                f"How do we design it around the person rather than around each service's thresholds, so that "
                f"{self.pick(GROUPS)} and {self.pick(GROUPS)} get the right help the first time?")

    def why_now(self, topic: Topic) -> str:
        return (f"{self.pick(topic.hooks)} is being refreshed this year, and the borough's locality plan names "
                f"co-operative engagement as an enabler. " + self.pick([
                    "Partners have already heard the same concerns at three different meetings.",
                    "The contract for the current service ends next spring.",
                    "Demand has grown by a third in two years.",
                ]))

    def rationale(self, level: str) -> str:
        return {
            "inform": "The decision has been made; people need to know what changes and when.",
            "consult": "The options are set, but people's views can change which one is chosen.",
            "engage": "People's input can change what happens, though there is no budget for partners.",
            "co-design": "There is time and budget for residents and partners to shape the design together.",
            "co-produce": "People with lived experience are ready to take part through the partner's network, "
                          "and funding is set aside for the VCFSE partner.",
        }[level]

    def commitment(self, topic: Topic, place: str) -> str:
        return self.fill(self.pick(COMMITMENT_ACTIONS), place, topic)

    def commitment_update(self, topic: Topic, place: str) -> str:
        return self.fill(self.pick(COMMITMENT_UPDATES), place, topic)

    def update(self, topic: Topic, place: str) -> str:
        return self.fill(self.pick(UPDATE_TEMPLATES), place, topic)

    def get_involved(self, topic: Topic, place: str) -> str:
        return self.fill(self.pick(GET_INVOLVED), place, topic)

    def perspective(self) -> str:
        return (self.finding() + " " + self.pick([
            "That is how the people we spoke to see it.",
            "Staff say the same from the other side of the desk.",
            "It came up at every session we ran.",
        ]))

    def idea(self) -> tuple[str, str]:
        change = self.pick(CHANGES)
        return (change[0].upper() + change[1:] + ".",
                self.pick(["Fewer people dropping out between referral and first appointment.",
                           "People get help before things reach a crisis.",
                           "More people who rarely take part come back a second time.",
                           "Staff spend less time passing people on."]))

    def planned_test(self, topic: Topic, place: str) -> tuple[str, str, str]:
        return (f"Try {self.pick(CHANGES)} in {place} for two months.",
                f"The partner's volunteers run it at the {self.pick(VENUES)} and log every session here.",
                self.pick(["Most people can name one thing they now do differently.",
                           "Half of the people who come once come again.",
                           "Staff refer at least twenty people and hear back about each one."]))

    def test_result(self) -> tuple[str, str]:
        return (f"It ran for eight weeks; {self.rng.randint(12, 90)} people took part. " + self.finding(),
                self.pick(["It works when the same people are there each week.",
                           "It showed the idea helps, but needs a longer trial before the board decides.",
                           "It did not reach the people we hoped; the next test goes to them instead."]))

    def activity(self, topic: Topic, place: str) -> tuple[str, str]:
        title = self.fill(self.pick(ACTIVITY_TITLES), place, topic)
        description = " ".join([
            f"{self.pick(OPENERS)} {self.pick(VERBS)} a session about {topic.service} for {self.pick(GROUPS)}.",
            self.pick(["People mapped the services they had tried and where they got stuck.",
                       "We listened more than we talked, and wrote down people's own words.",
                       "Volunteers from the partner's network led two of the tables.",
                       "There was food, a crèche and help with bus fares."]),
            *([self.finding()] if self.rng.random() < 0.5 else []),
        ])
        return title[:200], description

    def insight(self) -> str:
        text = self.finding()
        if self.rng.random() < 0.4:
            text += " " + self.pick(["Several people said this in their own words.",
                                     "This came up in almost every conversation.",
                                     f"It matters most for {self.pick(GROUPS)}."])
        return text

    def story(self, topic: Topic, place: str) -> dict[str, str]:
        findings = [self.finding() for _ in range(3)]
        return {
            "story_we_asked": f"How do you {topic.subject.replace('their', 'your').replace('they', 'you')}, "
                              f"and what gets in the way?",
            "story_you_said": "\n".join(f"- {finding}" for finding in findings),
            "story_we_did": f"We tried {self.pick(CHANGES)} and {self.pick(CHANGES)} in {place}, "
                            f"and took what people said to the board that runs {topic.service}.",
            "story_so_what": " ".join([self.finding(), self.pick([
                "The board has agreed to change how referrals work from next year.",
                "An early estimate found about \u00a33.68 returned for each \u00a31 spent.",
                "Two partners now share one plan for each person rather than three."])]),
            "story_what_now": f"The partner keeps running sessions at the {self.pick(VENUES)}, and the council "
                              f"reports back on what changed in six months.",
        }

    def output(self, place: str) -> str:
        return self.pick(OUTPUT_TITLES).format(place=place)


# An agreement's sections: the same shape as a real one, with a few words that vary.
def agreement_sections(writer: Writer, topic: Topic, funding_pence: int) -> dict[str, str]:
    return {
        "purpose": f"Change {topic.hooks[0]} with the people it affects, not just tell them about it.",
        "vcfse_deliverables": "A programme of grassroot gatherings and conversations in community venues, run by "
                              "the partner's networks, with a short report of what people said.",
        "reach": f"Around {writer.rng.randint(5, 30) * 10} residents, including people who rarely take part: "
                 f"{writer.pick(GROUPS)} and {writer.pick(GROUPS)}.",
        "criteria": "Gatherings held as planned; activity and insight logged in this service within two weeks.",
        "public_commitments": "Fund the partner's time, provide venues and a decision-maker at each gathering, and "
                              "publish what changed as a result.",
        "payment_schedule": ("Half on signing; half when the report is received." if funding_pence
                             else "No payment: the partner's time is resourced from its own programme."),
        "decision_maker_access": "The programme's senior responsible officer attends the final gathering and the "
                                 "board hears the findings directly from the partner.",
        "feedback_commitment": "A \u2018you said, we did\u2019 update to everyone who took part within three months.",
        "timescales": f"{writer.rng.choice(['Twelve', 'Sixteen', 'Twenty'])} weeks from signing, with no meetings "
                      f"in school holidays.",
        "reporting": "Activities and insight logged in this service; a monthly check-in call.",
        "data_protection": "No names are recorded. Consent is asked for photos and quotes. Safeguarding concerns "
                           "follow the partner's policy and the borough's procedures.",
        "publication": "This agreement is part of the engagement's public record, without personal contact details.",
        "disagreements": "Raised first between the two signatories; then with the VCFSE influencing group's chair.",
    }


FIRST_NAMES = ["Alex", "Sam", "Jo", "Priya", "Tom", "Aisha", "Chris", "Fatima", "Lee", "Nadia", "Owen", "Ruth",
               "Imran", "Grace", "Dan", "Mei", "Kofi", "Helen", "Yusuf", "Beth"]
LAST_NAMES = ["Morgan", "Shah", "Okafor", "Whitworth", "Byrne", "Hussain", "Taylor", "Kowalski", "Ahmed", "Clarke",
              "Begum", "Nolan", "Patel", "Evans", "Mensah", "Hughes"]

VCFSE_KINDS = ["Community Trust", "Arts Collective", "Carers Centre", "Food Network", "Youth Project",
               "Women's Centre", "Men's Shed", "Credit Union", "Mind", "Family Support", "Residents' Association",
               "Faith Forum", "Refugee Welcome", "Walking Group", "Care Co-operative", "Disability Forum"]
PUBLIC_BODIES = ["Borough Council", "Care Partnership", "Clinical Commissioning Group", "Community Health Trust",
                 "Mental Health Trust", "Fire and Rescue Service", "Police Neighbourhood Team", "Housing Company",
                 "Public Health Team", "Integrated Care Board", "Adult Learning Service", "Primary Care Network"]
