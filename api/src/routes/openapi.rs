//! The OpenAPI document, generated from the handlers' annotations.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Recovery Desk API", description = "Debt recovery: placements, worklists, accounts, payments, repayment plans and promises, contact work, letters and emails."),
    paths(
        super::health::health,
        super::auth::login::login,
        super::auth::refresh::refresh,
        super::auth::logout::logout,
        super::me::get_me,
        super::users::list::list_users,
        super::users::create::create_user,
        super::creditors::list::list_creditors,
        super::accounts::list::list_accounts,
        super::accounts::get::get_account,
        super::accounts::change_status::change_account_status,
        super::accounts::assign::assign_account,
        super::worklist::get::get_worklist,
        super::worklist::export::get_call_list,
        super::worklist::export::get_mailing_list,
        super::worklist::assignments::bulk_assign,
        super::worklist::teams::list_teams,
        super::worklist::teams::create_team,
        super::worklist::teams::set_user_team,
        super::import_profiles::list::list_import_profiles,
        super::import_profiles::create::create_import_profile,
        super::imports::list::list_imports,
        super::imports::create::create_import,
        super::imports::get::get_import,
        super::imports::report_csv::get_import_report_csv,
        super::payments::create::create_payment,
        super::payments::list::list_payments,
        super::payments::get::get_payment,
        super::payments::reverse::reverse_payment,
        super::payments::receipt::get_receipt,
        super::bank_statements::create::create_bank_statement_import,
        super::bank_statements::list::list_bank_statement_imports,
        super::bank_statements::get::get_bank_statement_import,
        super::bank_statements::list_entries::list_bank_statement_entries,
        super::bank_statements::match_entry::match_bank_statement_entry,
        super::bank_statements::dismiss_entry::dismiss_bank_statement_entry,
        super::creditors::payment_policy::get_payment_policy,
        super::creditors::payment_policy::put_payment_policy,
        super::receipt_books::list_receipt_books,
        super::receipt_books::create_receipt_book,
        super::deposit_batches::open::open_batch,
        super::deposit_batches::list::list_batches,
        super::deposit_batches::get::get_batch,
        super::deposit_batches::add_payments::add_batch_payments,
        super::deposit_batches::close::close_batch,
        super::creditors::repayment_policy::get_repayment_policy,
        super::creditors::repayment_policy::put_repayment_policy,
        super::creditors::time_zone::put_time_zone,
        super::plans::preview::preview_plan,
        super::plans::create::create_plan,
        super::plans::create::list_account_plans,
        super::plans::list::list_plans,
        super::plans::get::get_plan,
        super::plans::decide::decide_plan,
        super::plans::cancel::cancel_plan,
        super::promises::create_promise,
        super::promises::list_promises,
        super::tasks::list_tasks,
        super::tasks::complete_task,
        super::contact::eligibility::get_contact_eligibility,
        super::contact::calls::create_call,
        super::contact::calls::list_calls,
        super::contact::holds::get_contact_holds,
        super::contact::holds::put_contact_holds,
        super::accounts::timeline::get_timeline,
        super::contact::disputes::raise_dispute,
        super::contact::disputes::list_disputes,
        super::contact::disputes::verify_dispute,
        super::contact::disputes::get_limitation,
        super::contact::rules::list_contact_rules,
        super::contact::rules::put_contact_rule,
        super::correspondence::templates::list_templates,
        super::correspondence::templates::create_template,
        super::correspondence::templates::list_versions,
        super::correspondence::templates::create_version,
        super::correspondence::templates::preview_template,
        super::correspondence::generate::create_correspondence,
        super::correspondence::generate::list_correspondence,
        super::correspondence::generate::get_letter_pdf,
        super::correspondence::batches::create_batch,
        super::correspondence::batches::get_batch,
        super::correspondence::batches::get_print_file,
        super::correspondence::opt_outs::get_opt_out_page,
        super::correspondence::opt_outs::opt_out,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
