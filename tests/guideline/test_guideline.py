import datetime as dt

from django.utils import timezone

from somevahti.core.models import AuditEvent
from somevahti.guideline.catalogue import CATALOGUE
from somevahti.guideline.models import Acknowledgement, Clause, Finding, Rule
from somevahti.guideline.queries import rule_statuses
from somevahti.guideline.services import acknowledge_guideline, evaluate_rules, install_default_guideline
from somevahti.guideline.source import split_guideline

COVERAGE_CLAUSE = (
    "Kunnan palvelussa on oltava useampi nimetty ylläpitäjä, jotta palvelun päivittäminen hoidetaan "
    "katkeamatta myös lomien aikana."
)


def test_split__joins_a_paragraph_broken_mid_sentence():
    text = "Otsikko\n\nOsio\n\nEnsimmäinen lause. Jos\n\ntyöntekijä huomaa jotain, hän kertoo."
    clauses = split_guideline(text, title="Otsikko")
    assert [c.text for c in clauses] == ["Ensimmäinen lause.", "Jos työntekijä huomaa jotain, hän kertoo."]
    assert clauses[0].section == "Osio" and clauses[0].ref == "1.1"


def test_install__ships_joroinen_guideline_with_every_rule_linked_to_its_clause(organization):
    guideline = install_default_guideline(organization=organization)
    assert guideline.approved_on == dt.date(2015, 9, 21)
    assert Rule.objects.filter(guideline=guideline).count() == len(CATALOGUE)
    admins = Rule.objects.get(guideline=guideline, code="MAINT-ADMINS")
    assert admins.clause.text == COVERAGE_CLAUSE
    assert admins.parameters["min_admins"] == 2
    assert Clause.objects.filter(guideline=guideline, text__startswith="Työhön liittyviä luottamuksellisia").exists()
    assert install_default_guideline(organization=organization) == guideline  # idempotent


def test_status__rules_without_machinery_are_not_shown_as_followed(organization):
    guideline = install_default_guideline(organization=organization)
    states = {s.rule.code: s.state for s in rule_statuses(guideline=guideline)}
    assert states["TOS-FOLLOW"] == "not_automated"
    assert states["MAINT-ADMINS"] == "ok"


def test_evaluate__opens_then_resolves_a_finding_when_the_rule_stops_failing(organization, user_with_role):
    guideline = install_default_guideline(organization=organization)
    _, official = user_with_role("elected_official", elected_official=True, name="Veikko Luottamus")
    t1 = timezone.now()
    assert evaluate_rules(organization=organization, now=t1).opened == 1
    finding = Finding.objects.get(rule_code="OFFICIAL-SECURITY")
    assert finding.is_open and "Veikko Luottamus" in finding.text
    t2 = t1 + dt.timedelta(hours=1)
    evaluate_rules(organization=organization, now=t2)
    finding.refresh_from_db()
    assert finding.first_seen == t1 and finding.last_seen == t2
    acknowledge_guideline(person=official, guideline=guideline)
    result = evaluate_rules(organization=organization, now=t2 + dt.timedelta(hours=1))
    finding.refresh_from_db()
    assert result.resolved == 1 and not finding.is_open
    assert AuditEvent.objects.filter(action="guideline.findings_evaluated").count() == 2


def test_evaluate__a_disabled_rule_resolves_its_findings(organization, user_with_role):
    guideline = install_default_guideline(organization=organization)
    user_with_role("elected_official", elected_official=True)
    evaluate_rules(organization=organization)
    Rule.objects.filter(guideline=guideline, code="OFFICIAL-SECURITY").update(enabled=False)
    evaluate_rules(organization=organization)
    assert not Finding.objects.filter(resolved_at__isnull=True).exists()


def test_acknowledge__once_per_version_and_audited(organization, user_with_role):
    guideline = install_default_guideline(organization=organization)
    _, person = user_with_role("employee")
    acknowledge_guideline(person=person, guideline=guideline)
    acknowledge_guideline(person=person, guideline=guideline)
    assert Acknowledgement.objects.count() == 1
    assert AuditEvent.objects.filter(action="guideline.guideline_acknowledged").count() == 1


def test_status_page__shows_each_rule_with_its_clause_in_finnish(client_as, organization):
    install_default_guideline(organization=organization)
    content = client_as("employee").get("/ohje/").content.decode()
    assert "Ohjeen toteutuminen" in content
    assert COVERAGE_CLAUSE in content
    assert "MAINT-SAME-DAY" in content


def test_status_page__employee_does_not_see_findings_but_comms_lead_does(client_as, organization, user_with_role):
    install_default_guideline(organization=organization)
    user_with_role("elected_official", elected_official=True, name="Veikko Luottamus")
    evaluate_rules(organization=organization)
    assert "Veikko Luottamus" not in client_as("employee").get("/ohje/").content.decode()
    assert "Veikko Luottamus" in client_as("comms_lead").get("/ohje/").content.decode()


def test_acknowledge_page__records_the_signed_in_person(client_as, organization):
    install_default_guideline(organization=organization)
    client = client_as("elected_official")
    response = client.post("/ohje/kuittaa/")
    assert response.status_code == 302
    assert Acknowledgement.objects.count() == 1


def test_acknowledgement_list__lists_who_has_not_and_is_refused_to_employees(client_as, organization, user_with_role):
    install_default_guideline(organization=organization)
    user_with_role("employee", name="Kalle Kuittaamaton")
    assert client_as("employee").get("/ohje/kuittaukset/").status_code == 403
    content = client_as("supervisor").get("/ohje/kuittaukset/?show=missing").content.decode()
    assert "Kalle Kuittaamaton" in content


def test_evaluate_action__refused_to_a_channel_admin(client_as, organization):
    install_default_guideline(organization=organization)
    assert client_as("channel_admin").post("/ohje/arvioi/").status_code == 403
