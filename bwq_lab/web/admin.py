"""Administration of providers: province administrators create and edit them and assign their
lab managers; city administrators may look at the providers of their city."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from bwq_lab import clock
from bwq_lab.edge.access import role_required
from bwq_lab.edge.templating import locale_code
from bwq_lab.edge.unit_of_work import unit_of_work
from bwq_lab.errors import not_found
from bwq_lab.extensions import db
from bwq_lab.models import Provider
from bwq_lab.operations import catalogue as ops
from bwq_lab.operations import enterprises as enterprise_ops
from bwq_lab.operations import staff as staff_ops
from bwq_lab.operations.regions import cities, oversees
from bwq_lab.web.forms.bookings import ActionForm
from bwq_lab.web.forms.catalogue import AssignManagerForm, ProviderForm
from bwq_lab.web.pages import page_arg, refusals, save_form, search_arg

bp = Blueprint("admin", __name__, url_prefix="/admin")

PROVIDER_COPY = (
    "name", "name_en", "kind", "city_id", "address", "contact_name", "contact_phone", "contact_email", "website",
    "description",
)  # fmt: skip


ADMINS = ("province_admin", "city_admin", "county_admin")


def _region() -> dict:
    """What the signed-in administrator oversees: their county, their city, or (None) the province."""
    return {
        "city_id": current_user.city_id if current_user.role == "city_admin" else None,
        "county_id": current_user.county_id if current_user.role == "county_admin" else None,
    }


def _visible_provider(provider_id: int) -> Provider:
    """Province admins see every provider; a city (county) admin only those of their city
    (county); 404 otherwise."""
    provider = ops.get_provider(provider_id)
    if not oversees(current_user, city_id=provider.city_id, region_id=provider.region_id):
        raise not_found(_("No such provider."))
    return provider


@bp.get("/")
@role_required(*ADMINS)
def home():
    """The administrator's home: their county's, city's (or the province's) providers and enterprises."""
    region = _region()
    return render_template(
        "admin/home.html",
        home=ops.admin_home(region["city_id"], county_id=region["county_id"]),
        action_form=ActionForm(formdata=None),
    )


@bp.post("/enterprises/<int:enterprise_id>/verify")
@role_required("province_admin", "city_admin")
@unit_of_work
def verify_enterprise(enterprise_id: int):
    """A city administrator verifies a new enterprise of their city: its users may book."""
    if ActionForm().validate_on_submit():
        enterprise = enterprise_ops.verify_enterprise(current_user, enterprise_id, clock.now())
        flash(_("%(name)s is verified; its users can book.", name=enterprise.name), "success")
    return redirect(url_for("admin.home"))


@bp.post("/verification")
@role_required("city_admin")
@unit_of_work
def verification():
    """The city's setting: verify new enterprises before they book, or not."""
    form = ActionForm()
    if form.validate_on_submit():
        required = request.form.get("required") == "1"
        enterprise_ops.set_verification(current_user, current_user.city_id, required)
        flash(
            _("New enterprises now need your verification before they book.")
            if required
            else _("New enterprises can book without verification."),
            "success",
        )
    return redirect(url_for("admin.home"))


@bp.get("/providers")
@role_required(*ADMINS)
def providers():
    q = search_arg()
    page = ops.list_providers(q=q, page=page_arg(), per_page=current_app.config["PER_PAGE"], **_region())
    counts = ops.offer_counts(p.id for p in page.items)
    return render_template("admin/providers.html", page=page, q=q, counts=counts)


def provider_form(provider: Provider | None = None) -> ProviderForm:
    initial: dict = {}
    if provider is not None:
        initial = {name: getattr(provider, name) for name in PROVIDER_COPY}
        initial["county_id"] = provider.region_id if provider.region_id != provider.city_id else None
    return ProviderForm(data=initial).localize(locale_code(), cities())


@bp.route("/providers/new", methods=["GET", "POST"])
@role_required("province_admin")
def new_provider():
    form = provider_form()
    if form.validate_on_submit():
        saved = save_form(form, ops.create_provider, ops.update_provider, None)
        if saved is not None:
            flash(_("Provider created. Now assign its lab managers."), "success")
            return redirect(url_for("admin.provider", provider_id=saved.id))
    return render_template("admin/provider_form.html", form=form, provider=None)


@bp.route("/providers/<int:provider_id>/edit", methods=["GET", "POST"])
@role_required("province_admin")
def edit_provider(provider_id: int):
    provider = ops.get_provider(provider_id)
    form = provider_form(provider)
    if form.validate_on_submit():
        if save_form(form, ops.create_provider, ops.update_provider, provider) is not None:
            flash(_("Provider saved."), "success")
            return redirect(url_for("admin.provider", provider_id=provider_id))
        provider = ops.get_provider(provider_id)
    return render_template("admin/provider_form.html", form=form, provider=provider)


def assign_form(provider: Provider) -> AssignManagerForm:
    form = AssignManagerForm()
    english = locale_code() == "en"
    instruments = ops.search_instruments(provider_id=provider.id, per_page=ops.MAX_PER_PAGE).items
    services = ops.search_services(provider_id=provider.id, per_page=ops.MAX_PER_PAGE).items
    form.instrument_ids.choices = [
        SelectChoice(i.id, (i.name_en or i.name) if english else i.name) for i in instruments
    ]
    form.service_ids.choices = [SelectChoice(s.id, (s.name_en or s.name) if english else s.name) for s in services]
    return form


def _render_provider(provider: Provider, form: AssignManagerForm | None, status: int = 200):
    return (
        render_template(
            "admin/provider.html",
            provider=provider,
            managers=ops.provider_managers(provider.id),
            counts=ops.offer_counts([provider.id])[provider.id],
            staff=staff_ops.list_staff(current_user, provider_id=provider.id, per_page=200).items,
            form=form,
        ),
        status,
    )


@bp.get("/providers/<int:provider_id>")
@role_required(*ADMINS)
def provider(provider_id: int):
    item = _visible_provider(provider_id)
    form = assign_form(item) if current_user.is_province_admin else None
    return _render_provider(item, form)


@bp.post("/providers/<int:provider_id>/managers")
@role_required("province_admin")
def assign_manager(provider_id: int):
    item = ops.get_provider(provider_id)
    form = assign_form(item)
    if not form.validate_on_submit():
        return _render_provider(item, form)
    with refusals(form, (422,)) as refused:
        result = ops.assign_manager(
            current_user,
            item.id,
            form.email.data,
            form.manages_all.data,
            form.instrument_ids.data or [],
            form.service_ids.data or [],
            name=form.name.data,
        )
    if refused:
        return _render_provider(ops.get_provider(provider_id), form)
    db.session.commit()
    if result.created:
        # the initial password is shown once, in this response only (never flashed into the cookie)
        response = make_response(
            render_template(
                "admin/manager_created.html", provider=item, user=result.user, password=result.initial_password
            )
        )
        response.headers["Cache-Control"] = "no-store"
        return response
    flash(_("%(email)s now manages this provider.", email=result.user.email), "success")
    return redirect(url_for("admin.provider", provider_id=item.id))


# ----------------------------------------------------------------------------------- audit log


@bp.get("/audit")
@role_required("province_admin")
def audit_log():
    """Every privileged action, newest first: who, what, when and from where. Read-only: there is
    no route that changes or deletes an entry (and the database refuses it)."""
    from bwq_lab.operations import audit

    action = request.args.get("action", "").strip()[:60] or None
    page = page_arg()
    per_page = 50
    events, total = audit.recent(page=page, per_page=per_page, action=action)
    return render_template(
        "admin/audit.html", events=events, total=total, page=page, per_page=per_page, action=action,
        actions=audit.ACTIONS,
    )  # fmt: skip
