//! The live schedule preview of the plan designer.

use leptos::prelude::*;
use shared::plans::{Schedule, ScheduledInstalment};
use shared::Currency;

use crate::components::{format_date, MoneyAmount};

/// Labels a schedule row: the down payment is number 0.
pub fn instalment_label(number: u32) -> String {
    if number == 0 {
        "Down payment".to_string()
    } else {
        number.to_string()
    }
}

fn schedule_row(instalment: ScheduledInstalment, currency: Currency) -> impl IntoView {
    view! {
        <tr data-instalment-number=instalment.number.to_string()>
            <td>{instalment_label(instalment.number)}</td>
            <td class="nowrap">{format_date(instalment.due_on)}</td>
            <td class="numeric">
                <MoneyAmount amount=instalment.amount currency=currency />
            </td>
            <td class="numeric">
                <MoneyAmount amount=instalment.interest currency=currency />
            </td>
            <td class="numeric">
                <MoneyAmount amount=instalment.principal currency=currency />
            </td>
        </tr>
    }
}

#[component]
pub fn ScheduleTable(schedule: Schedule, currency: Currency) -> impl IntoView {
    let total_principal: i64 = schedule.instalments.iter().map(|instalment| instalment.principal).sum();
    view! {
        <div class="table-wrap short">
            <table class="data-table compact" id="plan-schedule">
                <caption class="visually-hidden">"Schedule of the plan as designed, in due order."</caption>
                <thead>
                    <tr>
                        <th scope="col">"No."</th>
                        <th scope="col">"Due"</th>
                        <th scope="col" class="numeric">"Amount"</th>
                        <th scope="col" class="numeric">"Interest"</th>
                        <th scope="col" class="numeric">"Principal"</th>
                    </tr>
                </thead>
                <tbody>
                    {schedule
                        .instalments
                        .into_iter()
                        .map(|instalment| schedule_row(instalment, currency))
                        .collect_view()}
                </tbody>
                <tfoot>
                    <tr class="total" id="plan-schedule-total">
                        <th scope="row" colspan="2">
                            "Total, last due " {format_date(schedule.last_due_on)}
                        </th>
                        <td class="numeric">
                            <MoneyAmount amount=schedule.total_to_pay currency=currency />
                        </td>
                        <td class="numeric">
                            <MoneyAmount amount=schedule.total_interest currency=currency />
                        </td>
                        <td class="numeric">
                            <MoneyAmount amount=total_principal currency=currency />
                        </td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_zero_is_down_payment() {
        assert_eq!(instalment_label(0), "Down payment");
        assert_eq!(instalment_label(3), "3");
    }
}
