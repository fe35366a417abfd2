"""What every named route answers every kind of user, and the objects to ask it about.

The table has an entry for every route of the URLConf, the admin's included: a route added
without an entry fails `test_every_route_has_an_entry` (tests/trust/test_authorisation_matrix.py).
Codes are given in the order of PERSONAS: anonymous, lead of Camden (the borough the objects
belong to), lead of Croydon, a reviewer limited to South West London (so Camden is outside their
limit), a reviewer of all London, a superuser.
The routes that only take a POST have a second entry, in POST_EXPECTED, for what a POST gets.
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from boroughs.models import BoroughMembership, ReviewerStp, Stp
from reports.models import PublishedStatement, RoundAim, RoundAimBorough, ThemeStatement
from surveys import workflow
from surveys.models import (
    Barrier,
    Benefit,
    CareRole,
    DataQualityNote,
    FundingLine,
    OutcomeMeasure,
    ReturnComment,
    SelfAssessment,
)
from tests.factories import SurveyRoundFactory, close_and_publish, complete_return
from toolkit.models import GuidanceArea, Level, Principle, ToolkitVersion

PERSONAS = ["anonymous", "lead_a", "lead_b", "limited", "reviewer", "superuser"]
OK, LOGIN, NOPE, MISSING, NOT_ALLOWED, BAD = 200, 302, 403, 404, 405, 400


def routes():
    """(name, pattern) of every named route, walking namespaces."""

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                full = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                yield from walk(pattern.url_patterns, full)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern

    return dict(walk(get_resolver().url_patterns))


# fmt: off
EXPECTED = {
    "accessibility": [200, 200, 200, 200, 200, 200],
    "cookies": [200, 200, 200, 200, 200, 200],
    "privacy": [200, 200, 200, 200, 200, 200],
    # The timeout warning's "Stay signed in": nothing to show, 401 once the session has ended.
    "keep_alive": [401, 204, 204, 204, 204, 204],
    "admin:app_list": [302, 302, 302, 200, 200, 200],
    "admin:auth_group_add": [302, 302, 302, 403, 403, 200],
    "admin:auth_group_change": [302, 302, 302, 403, 403, 200],
    "admin:auth_group_changelist": [302, 302, 302, 403, 403, 200],
    "admin:auth_group_delete": [302, 302, 302, 403, 403, 200],
    "admin:auth_group_history": [302, 302, 302, 403, 403, 200],
    "admin:auth_user_add": [302, 302, 302, 403, 403, 200],
    "admin:auth_user_change": [302, 302, 302, 403, 403, 200],
    "admin:auth_user_changelist": [302, 302, 302, 403, 403, 200],
    "admin:auth_user_delete": [302, 302, 302, 403, 403, 200],
    "admin:auth_user_history": [302, 302, 302, 403, 403, 200],
    "admin:auth_user_password_change": [302, 302, 302, 403, 403, 200],
    "admin:autocomplete": [302, 302, 302, 403, 403, 403],
    "admin:axes_accessattempt_add": [302, 302, 302, 403, 403, 403],
    "admin:axes_accessattempt_change": [302, 302, 302, 403, 403, 200],
    "admin:axes_accessattempt_changelist": [302, 302, 302, 403, 403, 200],
    "admin:axes_accessattempt_delete": [302, 302, 302, 403, 403, 200],
    "admin:axes_accessattempt_history": [302, 302, 302, 403, 403, 200],
    "admin:axes_accessfailurelog_add": [302, 302, 302, 403, 403, 403],
    "admin:axes_accessfailurelog_change": [302, 302, 302, 403, 403, 200],
    "admin:axes_accessfailurelog_changelist": [302, 302, 302, 403, 403, 200],
    "admin:axes_accessfailurelog_delete": [302, 302, 302, 403, 403, 200],
    "admin:axes_accessfailurelog_history": [302, 302, 302, 403, 403, 200],
    "admin:axes_accesslog_add": [302, 302, 302, 403, 403, 403],
    "admin:axes_accesslog_change": [302, 302, 302, 403, 403, 200],
    "admin:axes_accesslog_changelist": [302, 302, 302, 403, 403, 200],
    "admin:axes_accesslog_delete": [302, 302, 302, 403, 403, 200],
    "admin:axes_accesslog_history": [302, 302, 302, 403, 403, 200],
    "admin:boroughs_borough_add": [302, 302, 302, 403, 403, 200],
    "admin:boroughs_borough_change": [302, 302, 302, 200, 200, 200],
    "admin:boroughs_borough_changelist": [302, 302, 302, 200, 200, 200],
    "admin:boroughs_borough_delete": [302, 302, 302, 403, 403, 200],
    "admin:boroughs_borough_history": [302, 302, 302, 200, 200, 200],
    "admin:boroughs_boroughmembership_add": [302, 302, 302, 403, 403, 200],
    "admin:boroughs_boroughmembership_change": [302, 302, 302, 302, 200, 200],
    "admin:boroughs_boroughmembership_changelist": [302, 302, 302, 200, 200, 200],
    "admin:boroughs_boroughmembership_delete": [302, 302, 302, 403, 403, 200],
    "admin:boroughs_boroughmembership_history": [302, 302, 302, 302, 200, 200],
    "admin:boroughs_reviewerstp_add": [302, 302, 302, 403, 403, 200],
    "admin:boroughs_reviewerstp_change": [302, 302, 302, 200, 200, 200],
    "admin:boroughs_reviewerstp_changelist": [302, 302, 302, 200, 200, 200],
    "admin:boroughs_reviewerstp_delete": [302, 302, 302, 403, 403, 200],
    "admin:boroughs_reviewerstp_history": [302, 302, 302, 200, 200, 200],
    "admin:boroughs_region_add": [302, 302, 302, 403, 403, 200],
    "admin:boroughs_region_change": [302, 302, 302, 200, 200, 200],
    "admin:boroughs_region_changelist": [302, 302, 302, 200, 200, 200],
    "admin:boroughs_region_delete": [302, 302, 302, 403, 403, 200],
    "admin:boroughs_region_history": [302, 302, 302, 200, 200, 200],
    "admin:boroughs_stp_add": [302, 302, 302, 403, 403, 200],
    "admin:boroughs_stp_change": [302, 302, 302, 200, 200, 200],
    "admin:boroughs_stp_changelist": [302, 302, 302, 200, 200, 200],
    "admin:boroughs_stp_delete": [302, 302, 302, 403, 403, 200],
    "admin:boroughs_stp_history": [302, 302, 302, 200, 200, 200],
    "admin:index": [302, 302, 302, 200, 200, 200],
    "admin:jsi18n": [302, 302, 302, 200, 200, 200],
    "admin:login": [200, 200, 200, 302, 302, 302],
    "admin:logout": [302, 302, 302, 405, 405, 405],
    "admin:otp_totp_totpdevice_add": [302, 302, 302, 403, 403, 200],
    "admin:otp_totp_totpdevice_change": [302, 302, 302, 403, 403, 200],
    "admin:otp_totp_totpdevice_changelist": [302, 302, 302, 403, 403, 200],
    "admin:otp_totp_totpdevice_config": [302, 302, 302, 403, 403, 200],
    "admin:otp_totp_totpdevice_delete": [302, 302, 302, 403, 403, 200],
    "admin:otp_totp_totpdevice_history": [302, 302, 302, 403, 403, 200],
    "admin:otp_totp_totpdevice_qrcode": [302, 302, 302, 403, 403, 200],
    "admin:password_change": [302, 302, 302, 200, 200, 200],
    "admin:password_change_done": [302, 302, 302, 200, 200, 200],
    # A round's published statements and service aims: the steering group reads them, its
    # members of all London edit them (the limited reviewer reads only).
    "admin:reports_publishedstatement_add": [302, 302, 302, 403, 200, 200],
    "admin:reports_publishedstatement_change": [302, 302, 302, 200, 200, 200],
    "admin:reports_publishedstatement_changelist": [302, 302, 302, 200, 200, 200],
    "admin:reports_publishedstatement_delete": [302, 302, 302, 403, 200, 200],
    "admin:reports_publishedstatement_history": [302, 302, 302, 200, 200, 200],
    "admin:reports_publishedstatement_simple_history": [302, 302, 302, 200, 200, 200],
    "admin:reports_roundaim_add": [302, 302, 302, 403, 200, 200],
    "admin:reports_roundaim_change": [302, 302, 302, 200, 200, 200],
    "admin:reports_roundaim_changelist": [302, 302, 302, 200, 200, 200],
    "admin:reports_roundaim_delete": [302, 302, 302, 403, 200, 200],
    "admin:reports_roundaim_history": [302, 302, 302, 200, 200, 200],
    "admin:reports_roundaim_simple_history": [302, 302, 302, 200, 200, 200],
    "admin:reports_themestatement_add": [302, 302, 302, 403, 200, 200],
    "admin:reports_themestatement_change": [302, 302, 302, 200, 200, 200],
    "admin:reports_themestatement_changelist": [302, 302, 302, 200, 200, 200],
    "admin:reports_themestatement_delete": [302, 302, 302, 403, 200, 200],
    "admin:reports_themestatement_history": [302, 302, 302, 200, 200, 200],
    "admin:reports_themestatement_simple_history": [302, 302, 302, 200, 200, 200],
    # The toolkit: read by the steering group, edited by its members for all London.
    "admin:toolkit_guidancearea_add": [302, 302, 302, 403, 200, 200],
    "admin:toolkit_guidancearea_change": [302, 302, 302, 200, 200, 200],
    "admin:toolkit_guidancearea_changelist": [302, 302, 302, 200, 200, 200],
    "admin:toolkit_guidancearea_delete": [302, 302, 302, 403, 200, 200],
    "admin:toolkit_guidancearea_history": [302, 302, 302, 200, 200, 200],
    "admin:toolkit_guidancearea_simple_history": [302, 302, 302, 200, 200, 200],
    "admin:toolkit_level_add": [302, 302, 302, 403, 200, 200],
    "admin:toolkit_level_change": [302, 302, 302, 200, 200, 200],
    "admin:toolkit_level_changelist": [302, 302, 302, 200, 200, 200],
    "admin:toolkit_level_delete": [302, 302, 302, 403, 200, 200],
    "admin:toolkit_level_history": [302, 302, 302, 200, 200, 200],
    "admin:toolkit_level_simple_history": [302, 302, 302, 200, 200, 200],
    "admin:toolkit_principle_add": [302, 302, 302, 403, 200, 200],
    "admin:toolkit_principle_change": [302, 302, 302, 200, 200, 200],
    "admin:toolkit_principle_changelist": [302, 302, 302, 200, 200, 200],
    "admin:toolkit_principle_delete": [302, 302, 302, 403, 200, 200],
    "admin:toolkit_principle_history": [302, 302, 302, 200, 200, 200],
    "admin:toolkit_principle_simple_history": [302, 302, 302, 200, 200, 200],
    # A version's "Copy into a new draft" button (django-object-actions): a POST only.
    "admin:toolkit_toolkitversion_actions": [302, 302, 302, 405, 405, 405],
    "admin:toolkit_toolkitversion_add": [302, 302, 302, 403, 200, 200],
    "admin:toolkit_toolkitversion_change": [302, 302, 302, 200, 200, 200],
    "admin:toolkit_toolkitversion_changelist": [302, 302, 302, 200, 200, 200],
    "admin:toolkit_toolkitversion_delete": [302, 302, 302, 403, 200, 200],
    "admin:toolkit_toolkitversion_history": [302, 302, 302, 200, 200, 200],
    "admin:toolkit_toolkitversion_simple_history": [302, 302, 302, 200, 200, 200],
    "admin:surveys_carerole_add": [302, 302, 302, 403, 403, 403],
    "admin:surveys_carerole_change": [302, 302, 302, 302, 200, 200],
    "admin:surveys_carerole_changelist": [302, 302, 302, 200, 200, 200],
    "admin:surveys_carerole_delete": [302, 302, 302, 403, 403, 403],
    "admin:surveys_carerole_export": [302, 302, 302, 200, 200, 200],
    "admin:surveys_carerole_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_carerole_import": [302, 302, 302, 200, 200, 200],
    "admin:surveys_carerole_process_import": [302, 302, 302, 405, 405, 405],
    "admin:surveys_carerole_simple_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_barrier_add": [302, 302, 302, 403, 403, 403],
    "admin:surveys_barrier_change": [302, 302, 302, 302, 200, 200],
    "admin:surveys_barrier_changelist": [302, 302, 302, 200, 200, 200],
    "admin:surveys_barrier_delete": [302, 302, 302, 403, 403, 403],
    "admin:surveys_barrier_export": [302, 302, 302, 200, 200, 200],
    "admin:surveys_barrier_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_barrier_import": [302, 302, 302, 200, 200, 200],
    "admin:surveys_barrier_process_import": [302, 302, 302, 405, 405, 405],
    "admin:surveys_barrier_simple_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_benefit_add": [302, 302, 302, 403, 403, 403],
    "admin:surveys_benefit_change": [302, 302, 302, 302, 200, 200],
    "admin:surveys_benefit_changelist": [302, 302, 302, 200, 200, 200],
    "admin:surveys_benefit_delete": [302, 302, 302, 403, 403, 403],
    "admin:surveys_benefit_export": [302, 302, 302, 200, 200, 200],
    "admin:surveys_benefit_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_benefit_import": [302, 302, 302, 200, 200, 200],
    "admin:surveys_benefit_process_import": [302, 302, 302, 405, 405, 405],
    "admin:surveys_benefit_simple_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_selfassessment_add": [302, 302, 302, 403, 403, 403],
    "admin:surveys_selfassessment_change": [302, 302, 302, 302, 200, 200],
    "admin:surveys_selfassessment_changelist": [302, 302, 302, 200, 200, 200],
    "admin:surveys_selfassessment_delete": [302, 302, 302, 403, 403, 403],
    "admin:surveys_selfassessment_export": [302, 302, 302, 200, 200, 200],
    "admin:surveys_selfassessment_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_selfassessment_import": [302, 302, 302, 200, 200, 200],
    "admin:surveys_selfassessment_process_import": [302, 302, 302, 405, 405, 405],
    "admin:surveys_selfassessment_simple_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_contact_add": [302, 302, 302, 403, 403, 403],
    "admin:surveys_contact_change": [302, 302, 302, 302, 200, 200],
    "admin:surveys_contact_changelist": [302, 302, 302, 200, 200, 200],
    "admin:surveys_contact_delete": [302, 302, 302, 403, 403, 403],
    "admin:surveys_contact_export": [302, 302, 302, 200, 200, 200],
    "admin:surveys_contact_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_contact_import": [302, 302, 302, 200, 200, 200],
    "admin:surveys_contact_process_import": [302, 302, 302, 405, 405, 405],
    "admin:surveys_contact_simple_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_dataqualitynote_add": [302, 302, 302, 403, 403, 403],
    "admin:surveys_dataqualitynote_change": [302, 302, 302, 302, 200, 200],
    "admin:surveys_dataqualitynote_changelist": [302, 302, 302, 200, 200, 200],
    "admin:surveys_dataqualitynote_delete": [302, 302, 302, 403, 403, 403],
    "admin:surveys_dataqualitynote_export": [302, 302, 302, 200, 200, 200],
    "admin:surveys_dataqualitynote_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_dataqualitynote_import": [302, 302, 302, 200, 200, 200],
    "admin:surveys_dataqualitynote_process_import": [302, 302, 302, 405, 405, 405],
    "admin:surveys_dataqualitynote_simple_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_fundingline_add": [302, 302, 302, 403, 403, 403],
    "admin:surveys_fundingline_change": [302, 302, 302, 302, 200, 200],
    "admin:surveys_fundingline_changelist": [302, 302, 302, 200, 200, 200],
    "admin:surveys_fundingline_delete": [302, 302, 302, 403, 403, 403],
    "admin:surveys_fundingline_export": [302, 302, 302, 200, 200, 200],
    "admin:surveys_fundingline_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_fundingline_import": [302, 302, 302, 200, 200, 200],
    "admin:surveys_fundingline_process_import": [302, 302, 302, 405, 405, 405],
    "admin:surveys_fundingline_simple_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_outcomemeasure_add": [302, 302, 302, 403, 403, 403],
    "admin:surveys_outcomemeasure_change": [302, 302, 302, 302, 200, 200],
    "admin:surveys_outcomemeasure_changelist": [302, 302, 302, 200, 200, 200],
    "admin:surveys_outcomemeasure_delete": [302, 302, 302, 403, 403, 403],
    "admin:surveys_outcomemeasure_export": [302, 302, 302, 200, 200, 200],
    "admin:surveys_outcomemeasure_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_outcomemeasure_import": [302, 302, 302, 200, 200, 200],
    "admin:surveys_outcomemeasure_process_import": [302, 302, 302, 405, 405, 405],
    "admin:surveys_outcomemeasure_simple_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_returncomment_add": [302, 302, 302, 403, 403, 403],
    "admin:surveys_returncomment_change": [302, 302, 302, 302, 200, 200],
    "admin:surveys_returncomment_changelist": [302, 302, 302, 200, 200, 200],
    "admin:surveys_returncomment_delete": [302, 302, 302, 403, 403, 403],
    "admin:surveys_returncomment_history": [302, 302, 302, 302, 200, 200],
    "admin:surveys_returnevent_add": [302, 302, 302, 403, 403, 403],
    "admin:surveys_returnevent_change": [302, 302, 302, 302, 200, 200],
    "admin:surveys_returnevent_changelist": [302, 302, 302, 200, 200, 200],
    "admin:surveys_returnevent_delete": [302, 302, 302, 403, 403, 403],
    "admin:surveys_returnevent_history": [302, 302, 302, 302, 200, 200],
    "admin:surveys_scopingreturn_add": [302, 302, 302, 403, 403, 200],
    "admin:surveys_scopingreturn_change": [302, 302, 302, 302, 200, 200],
    "admin:surveys_scopingreturn_changelist": [302, 302, 302, 200, 200, 200],
    "admin:surveys_scopingreturn_comment": [302, 302, 302, 405, 405, 405],
    "admin:surveys_scopingreturn_delete": [302, 302, 302, 403, 403, 200],
    "admin:surveys_scopingreturn_export": [302, 302, 302, 200, 200, 200],
    "admin:surveys_scopingreturn_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_scopingreturn_import": [302, 302, 302, 200, 200, 200],
    "admin:surveys_scopingreturn_process_import": [302, 302, 302, 405, 405, 405],
    "admin:surveys_scopingreturn_simple_history": [302, 302, 302, 404, 200, 200],
    # The review page of a return and its steps: the steering group within its limit (the
    # limited reviewer's STP is not Camden's: 404); leads, not staff, go to the admin's sign-in.
    "admin:surveys_scopingreturn_review": [302, 302, 302, 404, 200, 200],
    "admin:surveys_scopingreturn_review_accept": [302, 302, 302, 404, 200, 200],
    "admin:surveys_scopingreturn_review_request_changes": [302, 302, 302, 404, 200, 200],
    "admin:surveys_scopingreturn_review_reopen": [302, 302, 302, 404, 200, 200],
    "admin:surveys_scopingreturn_review_query": [302, 302, 302, 404, 200, 200],
    "admin:surveys_scopingreturn_review_query_detail": [302, 302, 302, 404, 200, 200],
    "admin:surveys_scopingreturn_review_extend": [302, 302, 302, 404, 200, 200],
    "admin:surveys_answerquery_add": [302, 302, 302, 403, 403, 403],
    "admin:surveys_answerquery_change": [302, 302, 302, 302, 200, 200],
    "admin:surveys_answerquery_changelist": [302, 302, 302, 200, 200, 200],
    "admin:surveys_answerquery_delete": [302, 302, 302, 403, 403, 403],
    "admin:surveys_answerquery_history": [302, 302, 302, 404, 200, 200],
    "admin:surveys_answerquery_simple_history": [302, 302, 302, 404, 200, 200],
    # A round's buttons (django-object-actions: each leads to its page) and the pages that
    # close it, publish it and record a borough with no return: the steering group of all
    # London only (limited reviewers have no change permission on rounds).
    "admin:surveys_surveyround_actions": [302, 302, 302, 403, 302, 302],
    "admin:surveys_surveyround_add": [302, 302, 302, 403, 200, 200],
    "admin:surveys_surveyround_change": [302, 302, 302, 200, 200, 200],
    "admin:surveys_surveyround_changelist": [302, 302, 302, 200, 200, 200],
    "admin:surveys_surveyround_close": [302, 302, 302, 403, 200, 200],
    "admin:surveys_surveyround_delete": [302, 302, 302, 403, 403, 200],
    "admin:surveys_surveyround_history": [302, 302, 302, 200, 200, 200],
    "admin:surveys_surveyround_correct": [302, 302, 302, 403, 200, 200],
    "admin:surveys_surveyround_no_return": [302, 302, 302, 403, 200, 200],
    "admin:surveys_surveyround_publish": [302, 302, 302, 403, 200, 200],
    "admin:surveys_surveyround_simple_history": [302, 302, 302, 200, 200, 200],
    "admin:view_on_site": [302, 302, 302, 404, 302, 302],
    "home": [200, 200, 200, 200, 200, 200],
    "login": [200, 302, 302, 302, 302, 302],
    "logout": [405, 405, 405, 405, 405, 405],
    "password_change": [302, 200, 200, 200, 200, 200],
    "password_change_done": [302, 200, 200, 200, 200, 200],
    "password_reset": [200, 200, 200, 200, 200, 200],
    "password_reset_complete": [200, 200, 200, 200, 200, 200],
    "password_reset_confirm": [200, 200, 200, 200, 200, 200],
    "password_reset_done": [200, 200, 200, 200, 200, 200],
    "reports:borough": [404, 404, 404, 404, 200, 200],
    # A copy of the return: its leads and the steering group (within its limit) at any state.
    "reports:return_copy": [404, 200, 404, 404, 200, 200],
    # The same return as a workbook: the same readers as its printable copy.
    "reports:return_xlsx": [404, 200, 404, 404, 200, 200],
    "reports:boroughs": [404, 404, 404, 200, 200, 200],
    "reports:data_csv": [404, 404, 404, 200, 200, 200],
    "reports:data_dictionary": [404, 404, 404, 200, 200, 200],
    "reports:data_quality": [404, 404, 404, 200, 200, 200],
    "reports:index": [200, 200, 200, 200, 200, 200],
    "reports:map": [404, 404, 404, 200, 200, 200],
    "reports:report": [404, 404, 404, 200, 200, 200],
    # What changed since the previous round (the open round follows the published one).
    "reports:changes": [404, 404, 404, 200, 200, 200],
    "reports:changes_csv": [404, 404, 404, 200, 200, 200],
    "reports:returns_xlsx": [404, 404, 404, 200, 200, 200],
    "reports:stp_table": [404, 404, 404, 404, 200, 200],
    "reports:stp_tables": [404, 404, 404, 200, 200, 200],
    "reports:summary": [404, 404, 404, 200, 200, 200],
    "reports:summary_json": [404, 404, 404, 200, 200, 200],
    "reports:tables_csv": [404, 404, 404, 200, 200, 200],
    # The self-assessment page (a round without the toolkit says so).
    "reports:self_assessment": [404, 404, 404, 200, 200, 200],
    # The benefit and barrier themes, and their counts as CSV.
    "reports:themes": [404, 404, 404, 200, 200, 200],
    "reports:themes_csv": [404, 404, 404, 200, 200, 200],
    "surveys:check": [302, 200, 404, 404, 200, 200],
    "surveys:comment": [302, 405, 405, 405, 405, 405],
    "surveys:dashboard": [302, 404, 404, 200, 200, 200],
    "surveys:reply_to_query": [302, 405, 405, 405, 405, 405],
    "surveys:confirm_unchanged": [302, 405, 405, 405, 405, 405],
    "surveys:return": [302, 200, 404, 404, 200, 200],
    "surveys:section": [302, 200, 404, 404, 200, 200],
    "surveys:start": [302, 405, 405, 405, 405, 405],
    "surveys:submit": [302, 405, 405, 405, 405, 405],
    "surveys:submitted": [302, 200, 404, 404, 200, 200],
    "surveys:your_returns": [302, 200, 200, 302, 302, 302],
    "two_factor_setup": [302, 200, 200, 200, 302, 200],
    "two_factor_verify": [302, 302, 302, 302, 200, 302],
    "reports:summary@published": [200, 200, 200, 200, 200, 200],
    "reports:stp_tables@published": [200, 200, 200, 200, 200, 200],
    "reports:stp_table@published": [200, 200, 200, 200, 200, 200],
    "reports:map@published": [200, 200, 200, 200, 200, 200],
    "reports:boroughs@published": [200, 200, 200, 200, 200, 200],
    "reports:borough@published": [200, 200, 200, 200, 200, 200],
    "reports:return_copy@published": [200, 200, 200, 200, 200, 200],
    "reports:return_xlsx@published": [200, 200, 200, 200, 200, 200],
    "reports:report@published": [200, 200, 200, 200, 200, 200],
    # The published round has no previous round: the page says so; there is no changes.csv.
    "reports:changes@published": [200, 200, 200, 200, 200, 200],
    "reports:changes_csv@published": [404, 404, 404, 404, 404, 404],
    # A published round's data quality is part of its report, for everyone to read.
    "reports:data_quality@published": [200, 200, 200, 200, 200, 200],
    "reports:tables_csv@published": [200, 200, 200, 200, 200, 200],
    "reports:data_dictionary@published": [200, 200, 200, 200, 200, 200],
    "reports:returns_xlsx@published": [200, 200, 200, 200, 200, 200],
    "reports:summary_json@published": [200, 200, 200, 200, 200, 200],
    "reports:data_csv@published": [200, 200, 200, 200, 200, 200],
    "reports:self_assessment@published": [200, 200, 200, 200, 200, 200],
    "reports:themes@published": [200, 200, 200, 200, 200, 200],
    "reports:themes_csv@published": [200, 200, 200, 200, 200, 200],
}

# The routes that only take a POST (405 above), as each user POSTs to them (without a CSRF
# check, which `test_every_post_needs_a_csrf_token` makes): the same order of users.
POST_EXPECTED = {
    "admin:logout": [302, 302, 302, 302, 302, 302],
    "admin:toolkit_toolkitversion_actions": [302, 302, 302, 403, 302, 302],
    "admin:surveys_carerole_process_import": [302, 302, 302, 302, 302, 302],
    "admin:surveys_barrier_process_import": [302, 302, 302, 302, 302, 302],
    "admin:surveys_benefit_process_import": [302, 302, 302, 302, 302, 302],
    "admin:surveys_selfassessment_process_import": [302, 302, 302, 302, 302, 302],
    "admin:surveys_contact_process_import": [302, 302, 302, 302, 302, 302],
    "admin:surveys_dataqualitynote_process_import": [302, 302, 302, 302, 302, 302],
    "admin:surveys_fundingline_process_import": [302, 302, 302, 302, 302, 302],
    "admin:surveys_outcomemeasure_process_import": [302, 302, 302, 302, 302, 302],
    "admin:surveys_scopingreturn_comment": [302, 302, 302, 404, 302, 302],
    "admin:surveys_scopingreturn_process_import": [302, 302, 302, 302, 302, 302],
    "logout": [302, 302, 302, 302, 302, 302],
    "surveys:comment": [302, 302, 404, 404, 302, 302],
    # A lead confirms a carried-over section: this return was not carried over (a message).
    "surveys:confirm_unchanged": [302, 302, 404, 404, 302, 302],
    # Only the borough's leads reply; the steering group is told so (a message, and back).
    "surveys:reply_to_query": [302, 302, 404, 404, 302, 302],
    "surveys:start": [302, 302, 404, 404, 404, 404],
    "surveys:submit": [302, 302, 404, 404, 302, 302],
}
# fmt: on


@pytest.fixture
def world(make_user, camden, croydon, password):
    """Real objects for every route's arguments; all of them belong to Camden."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    users = {
        "lead_a": make_user("lead-camden-m", boroughs=[camden]),
        "lead_b": make_user("lead-croydon-m", boroughs=[croydon]),
        "limited": make_user(
            "reviewer-swl", steering=True, stps=[Stp.objects.get(slug="south-west-london")]
        ),
        "reviewer": make_user("reviewer-all", steering=True),
        "superuser": make_user("admin-m", superuser=True),
    }
    published = SurveyRoundFactory(slug="pub", state="open")
    open_round = SurveyRoundFactory(slug="demo", previous_round=published)
    draft = complete_return(borough=camden, survey_round=open_round)
    complete_return(borough=croydon, survey_round=open_round)
    accepted = complete_return(borough=camden, survey_round=published)
    workflow.submit(scoping_return=accepted, by=users["lead_a"], notify=False)
    workflow.accept(scoping_return=accepted, by=users["reviewer"], notify=False)
    close_and_publish(published, users["reviewer"])
    submitted = workflow.submit(scoping_return=draft, by=users["lead_a"], notify=False)
    CareRole.objects.create(scoping_return=submitted, role="psychologist")
    SelfAssessment.objects.create(
        scoping_return=submitted, area=GuidanceArea.objects.first(), level_id="planning"
    )
    Benefit.objects.create(scoping_return=submitted, text="Closer to home", themes="access")
    Barrier.objects.create(scoping_return=submitted, text="No estate", themes="care-environment")
    OutcomeMeasure.objects.create(scoping_return=submitted, name="SWEMWBS")
    FundingLine.objects.create(scoping_return=submitted, amount=1000)
    DataQualityNote.objects.create(
        scoping_return=submitted, field="shared_it", narrative="n", appendix="a", note="x"
    )
    ReturnComment.objects.create(scoping_return=submitted, author=users["reviewer"], text="Hi")
    query = workflow.raise_query(
        scoping_return=submitted, by=users["reviewer"], field="status", text="Why?", notify=False
    )
    attempt = AccessAttempt.objects.create(
        username="someone",
        ip_address="10.0.0.1",
        failures_since_start=1,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/",
    )
    statement = PublishedStatement.objects.create(
        survey_round=published,
        key="planned",
        figure="outcome_measures.planned",
        printed="A further seven boroughs are planning.",
        printed_value="seven",
        explanation="the returns say so.",
    )
    aim = RoundAim.objects.create(
        survey_round=published, key="advice", name="Advice", printed="Advice for GPs"
    )
    RoundAimBorough.objects.create(aim=aim, borough=camden, words="advice")
    objects = {
        "reports.publishedstatement": statement,
        "reports.roundaim": aim,
        "reports.themestatement": ThemeStatement.objects.create(
            survey_round=published, kind="benefit", theme="access", text="Easier access", order=1
        ),
        # Loaded by a data migration, which writes no history: saved once to have some.
        **{
            model._meta.label_lower: _saved(model.objects.first())
            for model in (Principle, GuidanceArea, Level, ToolkitVersion)
        },
        "surveys.scopingreturn": submitted,
        "surveys.surveyround": open_round,
        "surveys.carerole": submitted.care_roles.first(),
        "surveys.selfassessment": submitted.self_assessments.first(),
        "surveys.benefit": submitted.benefits.first(),
        "surveys.barrier": submitted.barriers.first(),
        "surveys.contact": submitted.contacts.first(),
        "surveys.outcomemeasure": submitted.measures.first(),
        "surveys.fundingline": submitted.funding_lines.first(),
        "surveys.dataqualitynote": submitted.quality_notes.first(),
        "surveys.returnevent": submitted.events.first(),
        "surveys.returncomment": submitted.comments.first(),
        "surveys.answerquery": query,
        "boroughs.region": camden.stp.region,
        "boroughs.stp": camden.stp,
        "boroughs.borough": camden,
        "boroughs.boroughmembership": BoroughMembership.objects.get(user=users["lead_a"]),
        "boroughs.reviewerstp": ReviewerStp.objects.get(user=users["limited"]),
        "auth.user": users["lead_a"],
        "auth.group": Group.objects.get(name="Steering group"),
        "axes.accessattempt": attempt,
        "axes.accessfailurelog": AccessFailureLog.objects.create(
            username="someone", ip_address="10.0.0.1", path_info="/", locked_out=False
        ),
        "axes.accesslog": AccessLog.objects.create(
            username="someone", ip_address="10.0.0.1", path_info="/"
        ),
        "otp_totp.totpdevice": TOTPDevice.objects.create(user=users["reviewer"], name="phone"),
    }
    return {"users": users, "objects": objects, "password": password}


def _saved(obj):
    obj.save()
    return obj


def url_for(name, pattern, world):
    """The URL of a route with real arguments; `name@variant` picks a second set."""
    objects = world["objects"]
    route, _, variant = name.partition("@")
    namespace, _, short = route.rpartition(":")
    if namespace == "admin":
        if short == "app_list":
            return reverse(route, args=["surveys"])
        if short == "view_on_site":
            from django.contrib.contenttypes.models import ContentType

            obj = objects["surveys.scopingreturn"]
            return reverse(route, args=[ContentType.objects.get_for_model(obj).pk, obj.pk])
        for model in admin.site._registry:
            prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
            if short.startswith(prefix):
                action = short.removeprefix(prefix)
                obj = objects[model._meta.label_lower]
                if action == "simple_history":
                    return reverse(route, args=[obj.pk, obj.history.latest("history_id").pk])
                if action.startswith("review"):
                    args = [obj.survey_round.slug, obj.borough.slug]
                    if action == "review_query_detail":
                        args.append(obj.queries.get().pk)
                    url = reverse(route, args=args)
                    return f"{url}?on=status" if action == "review_query" else url
                if action == "actions" and model._meta.app_label == "toolkit":
                    return reverse(route, kwargs={"pk": obj.pk, "tool": "copy_as_draft"})
                if action == "actions":
                    return reverse(route, kwargs={"pk": obj.pk, "tool": "close_this_round"})
                if action in {
                    "history",
                    "delete",
                    "change",
                    "comment",
                    "password_change",
                    "config",
                    "qrcode",
                    "close",
                    "publish",
                    "no_return",
                    "correct",
                }:
                    return reverse(route, args=[obj.pk])
                return reverse(route)
        return reverse(route)
    if namespace == "surveys":
        round_slug = "demo"
        args = {
            "section": [round_slug, "camden", "scope"],
            "confirm_unchanged": [round_slug, "camden", "scope"],
            "reply_to_query": [round_slug, "camden", objects["surveys.answerquery"].pk],
        }.get(short, [round_slug, "camden"])
        if short in {"your_returns", "dashboard"}:
            args = []
        return reverse(route, args=args)
    if namespace == "reports":
        round_slug = "pub" if variant == "published" else "demo"
        args = {
            "index": [],
            "stp_table": [round_slug, "north-central-london"],
            "borough": [round_slug, "camden"],
            "return_copy": [round_slug, "camden"],
            "return_xlsx": [round_slug, "camden"],
            "data_csv": [round_slug, "returns"],
        }.get(short, [round_slug])
        return reverse(route, args=args)
    if route == "password_reset_confirm":
        user = world["users"]["lead_a"]
        return reverse(route, args=[urlsafe_base64_encode(force_bytes(user.pk)), "bad-token"])
    return reverse(route)


def client_for(persona, world):
    client = Client()
    if persona != "anonymous":
        client.force_login(world["users"][persona])
    return client
