-- No installment is fully paid before its loan was drawn.
select
    installments.installment_id,
    installments.fully_paid_on,
    loans.drawn_on
from {{ ref('fct_installments') }} as installments
inner join {{ ref('fct_loans') }} as loans on installments.loan_id = loans.loan_id
where installments.fully_paid_on < loans.drawn_on
