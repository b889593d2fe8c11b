// Diesel table definitions, kept by hand in step with `migrations/`.
// The catalogue test `schema_matches_migrations` compares them with the database.

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        team_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    teams (id) {
        id -> Uuid,
        name -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        family_id -> Uuid,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    server_secrets (name) {
        name -> Text,
        value -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    creditors (id) {
        id -> Uuid,
        name -> Text,
        time_zone -> Text,
        created_at -> Timestamptz,
        allocation_order -> Array<Text>,
        returned_payment_fee -> Nullable<Int8>,
        returned_payment_fee_jurisdictions -> Array<Text>,
        repayment_policy -> Nullable<Jsonb>,
    }
}

diesel::table! {
    debtors (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        debtor_ref -> Text,
        kind -> Text,
        name -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    debtor_addresses (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        debtor_id -> Uuid,
        line1 -> Nullable<Text>,
        line2 -> Nullable<Text>,
        city -> Nullable<Text>,
        region -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        country -> Nullable<Text>,
        is_valid -> Bool,
        invalid_reason -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    debtor_phones (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        debtor_id -> Uuid,
        raw -> Text,
        e164 -> Nullable<Text>,
        phone_type -> Text,
        is_valid -> Bool,
        do_not_call -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    debtor_emails (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        debtor_id -> Uuid,
        address -> Text,
        is_valid -> Bool,
        opted_out -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    accounts (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        debtor_id -> Uuid,
        account_ref -> Text,
        currency -> Bpchar,
        status -> Text,
        original_principal -> Int8,
        original_interest -> Int8,
        original_fees -> Int8,
        principal_balance -> Int8,
        interest_balance -> Int8,
        fees_balance -> Int8,
        total_balance -> Int8,
        opened_on -> Nullable<Date>,
        last_payment_on -> Nullable<Date>,
        delinquent_since -> Nullable<Date>,
        charged_off_on -> Nullable<Date>,
        assigned_agent_id -> Nullable<Uuid>,
        name_missing -> Bool,
        no_valid_phone -> Bool,
        no_valid_address -> Bool,
        no_valid_email -> Bool,
        no_valid_contact -> Bool,
        source_hash -> Bytea,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        last_import_id -> Nullable<Uuid>,
        unapplied_credit -> Int8,
        ledger_through -> Nullable<Date>,
        debt_type -> Nullable<Text>,
        worklist_score -> Int4,
        worklist_scored_until -> Timestamptz,
        // NOTE: `call_held` (bool) is left out because diesel's default
        // features allow 32 columns a table; only raw SQL reads it.
    }
}

diesel::table! {
    journal_entries (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        account_id -> Nullable<Uuid>,
        kind -> Text,
        effective_on -> Date,
        memo -> Text,
        corrects_entry_id -> Nullable<Uuid>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        payment_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    journal_lines (id) {
        id -> Int8,
        entry_id -> Uuid,
        creditor_id -> Uuid,
        account_id -> Nullable<Uuid>,
        ledger_account -> Text,
        currency -> Bpchar,
        amount -> Int8,
    }
}

diesel::table! {
    import_profiles (id) {
        id -> Uuid,
        name -> Text,
        description -> Text,
        config -> Jsonb,
        built_in -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    imports (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        profile_id -> Uuid,
        file_name -> Text,
        status -> Text,
        started_by -> Nullable<Uuid>,
        rows -> Int8,
        imported -> Int8,
        updated -> Int8,
        unchanged -> Int8,
        skipped -> Int8,
        rejected -> Int8,
        bytes_read -> Int8,
        bytes_total -> Int8,
        report -> Nullable<Jsonb>,
        failure -> Nullable<Text>,
        started_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    import_rejections (id) {
        id -> Int8,
        import_id -> Uuid,
        line -> Int8,
        column_name -> Nullable<Text>,
        code -> Text,
        message -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        creditor_id -> Nullable<Uuid>,
        actor_user_id -> Nullable<Uuid>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Uuid,
        details -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(accounts -> creditors (creditor_id));
diesel::joinable!(accounts -> debtors (debtor_id));
diesel::joinable!(accounts -> users (assigned_agent_id));
diesel::joinable!(debtors -> creditors (creditor_id));
diesel::joinable!(debtor_addresses -> debtors (debtor_id));
diesel::joinable!(debtor_phones -> debtors (debtor_id));
diesel::joinable!(debtor_emails -> debtors (debtor_id));
diesel::joinable!(journal_lines -> journal_entries (entry_id));
diesel::table! {
    receipt_books (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        code -> Text,
        collector_id -> Nullable<Uuid>,
        next_sequence -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    payments (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        debtor_id -> Uuid,
        account_id -> Uuid,
        currency -> Bpchar,
        amount -> Int8,
        method -> Text,
        instrument -> Jsonb,
        received_on -> Date,
        status -> Text,
        held_until -> Nullable<Date>,
        spread_rule -> Text,
        receipt_book_id -> Uuid,
        receipt_sequence -> Int8,
        receipt_number -> Text,
        received_by -> Uuid,
        posted_at -> Timestamptz,
        reversed_at -> Nullable<Timestamptz>,
        reversal_reason -> Nullable<Text>,
        reversal_note -> Nullable<Text>,
        reversed_by -> Nullable<Uuid>,
        reversal_fee -> Nullable<Int8>,
        reversal_fee_decision -> Nullable<Text>,
        deposit_batch_id -> Nullable<Uuid>,
        batched_at -> Nullable<Timestamptz>,
        batched_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    payment_parts (payment_id, account_id) {
        payment_id -> Uuid,
        account_id -> Uuid,
        creditor_id -> Uuid,
        amount -> Int8,
    }
}

diesel::table! {
    receipts (payment_id) {
        payment_id -> Uuid,
        creditor_id -> Uuid,
        receipt_number -> Text,
        issued_at -> Timestamptz,
        content -> Jsonb,
        annotations -> Jsonb,
        print_count -> Int4,
    }
}

diesel::table! {
    receipt_deliveries (id) {
        id -> Uuid,
        payment_id -> Uuid,
        creditor_id -> Uuid,
        channel -> Text,
        email_id -> Nullable<Uuid>,
        status -> Text,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        next_attempt_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Uuid,
        key -> Text,
        request_hash -> Bytea,
        response_status -> Int2,
        response_body -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    deposit_batches (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        collector_id -> Uuid,
        currency -> Bpchar,
        control_count -> Int4,
        control_amount -> Int8,
        status -> Text,
        opened_at -> Timestamptz,
        closed_at -> Nullable<Timestamptz>,
        closed_by -> Nullable<Uuid>,
        deposit_reference -> Nullable<Text>,
        actual_count -> Nullable<Int4>,
        actual_amount -> Nullable<Int8>,
        note -> Nullable<Text>,
    }
}

diesel::joinable!(payments -> accounts (account_id));
diesel::joinable!(follow_up_tasks -> accounts (account_id));
diesel::joinable!(plan_instalments -> plans (plan_id));
diesel::joinable!(payments -> receipt_books (receipt_book_id));
diesel::joinable!(payment_parts -> payments (payment_id));
diesel::joinable!(receipts -> payments (payment_id));
diesel::joinable!(receipt_deliveries -> payments (payment_id));
diesel::joinable!(imports -> creditors (creditor_id));
diesel::joinable!(imports -> import_profiles (profile_id));
diesel::joinable!(refresh_tokens -> users (user_id));

diesel::table! {
    bank_statement_imports (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        file_name -> Text,
        file_sha256 -> Bytea,
        file_size -> Int8,
        format -> Text,
        message_id -> Nullable<Text>,
        uploaded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        statement_count -> Int4,
        entry_count -> Int4,
        repeated_entry_count -> Int4,
        unbalanced_statement_count -> Int4,
        repeated_entries -> Jsonb,
    }
}

diesel::table! {
    bank_statements (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        import_id -> Uuid,
        position -> Int4,
        statement_ref -> Text,
        sequence_number -> Nullable<Text>,
        line -> Int4,
        bank_account -> Text,
        currency -> Nullable<Bpchar>,
        opening_balance -> Nullable<Int8>,
        opening_date -> Nullable<Date>,
        closing_balance -> Nullable<Int8>,
        closing_date -> Nullable<Date>,
        balance_check -> Text,
        balance_check_message -> Nullable<Text>,
        entry_count -> Int4,
    }
}

diesel::table! {
    bank_statement_entries (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        import_id -> Uuid,
        statement_id -> Uuid,
        bank_account -> Text,
        entry_key -> Text,
        line -> Int4,
        booking_date -> Nullable<Date>,
        value_date -> Nullable<Date>,
        amount -> Int8,
        currency -> Bpchar,
        reversal -> Bool,
        bank_status -> Nullable<Text>,
        transaction_count -> Int4,
        bank_reference -> Nullable<Text>,
        customer_reference -> Nullable<Text>,
        end_to_end_id -> Nullable<Text>,
        counterparty_name -> Nullable<Text>,
        remittance_info -> Nullable<Text>,
        return_reason -> Nullable<Text>,
        bank_details -> Jsonb,
        status -> Text,
        account_id -> Nullable<Uuid>,
        payment_id -> Nullable<Uuid>,
        confidence -> Nullable<Int4>,
        match_reason -> Text,
        candidates -> Jsonb,
        reviewed_by -> Nullable<Uuid>,
        reviewed_at -> Nullable<Timestamptz>,
        dismiss_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    plans (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        account_id -> Uuid,
        kind -> Text,
        status -> Text,
        frequency -> Text,
        start_date -> Date,
        instalment_count -> Int4,
        down_payment -> Int8,
        settlement_amount -> Nullable<Int8>,
        currency -> Bpchar,
        balance_at_creation -> Int8,
        total_to_pay -> Int8,
        total_interest -> Int8,
        annual_rate_bp -> Int4,
        grace_days -> Int4,
        missed_to_break -> Int4,
        findings -> Jsonb,
        required_approver -> Nullable<Text>,
        note -> Nullable<Text>,
        created_by -> Uuid,
        created_at -> Timestamptz,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        decision_note -> Nullable<Text>,
        replaces_plan_id -> Nullable<Uuid>,
        counts_from -> Date,
        paid_to_date -> Int8,
        missed_count -> Int4,
        closed_on -> Nullable<Date>,
        close_reason -> Nullable<Text>,
    }
}

diesel::table! {
    plan_instalments (id) {
        id -> Uuid,
        plan_id -> Uuid,
        creditor_id -> Uuid,
        number -> Int4,
        due_on -> Date,
        amount -> Int8,
        principal -> Int8,
        interest -> Int8,
        paid -> Int8,
        status -> Text,
        missed -> Bool,
        interest_charged -> Bool,
    }
}

diesel::table! {
    promises (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        account_id -> Uuid,
        amount -> Int8,
        currency -> Bpchar,
        promised_on -> Date,
        window_ends_on -> Date,
        channel -> Text,
        note -> Nullable<Text>,
        taken_by -> Uuid,
        taken_at -> Timestamptz,
        taken_on -> Date,
        status -> Text,
        paid -> Int8,
        resolved_on -> Nullable<Date>,
    }
}

diesel::table! {
    follow_up_tasks (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        account_id -> Uuid,
        kind -> Text,
        subject_id -> Uuid,
        raised_on -> Date,
        assigned_to -> Nullable<Uuid>,
        done -> Bool,
        created_at -> Timestamptz,
        done_at -> Nullable<Timestamptz>,
        done_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    daily_runs (creditor_id, run_on) {
        creditor_id -> Uuid,
        run_on -> Date,
        finished_at -> Timestamptz,
        report -> Jsonb,
    }
}

diesel::table! {
    calls (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        account_id -> Uuid,
        debtor_id -> Uuid,
        phone_id -> Nullable<Uuid>,
        direction -> Text,
        outcome -> Text,
        conversation -> Bool,
        notes -> Nullable<Text>,
        follow_up_on -> Nullable<Date>,
        started_at -> Timestamptz,
        logged_by -> Uuid,
        override_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        promise_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    disputes (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        account_id -> Uuid,
        status -> Text,
        call_id -> Nullable<Uuid>,
        note -> Nullable<Text>,
        raised_at -> Timestamptz,
        raised_by -> Uuid,
        verification_note -> Nullable<Text>,
        verification_sent_via -> Nullable<Text>,
        verification_sent_on -> Nullable<Date>,
        verified_at -> Nullable<Timestamptz>,
        verified_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    limitation_periods (id) {
        id -> Uuid,
        country -> Text,
        region -> Text,
        debt_type -> Text,
        years -> Int4,
        runs_from -> Text,
        payment_restarts -> Bool,
        source -> Text,
    }
}

diesel::table! {
    contact_rules (jurisdiction, channel) {
        jurisdiction -> Text,
        channel -> Text,
        window_start -> Nullable<Time>,
        window_end -> Nullable<Time>,
        cap_attempts -> Nullable<Int4>,
        cap_days -> Nullable<Int4>,
        quiet_days_after_conversation -> Int4,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    contact_holds (account_id) {
        account_id -> Uuid,
        creditor_id -> Uuid,
        cease_all -> Bool,
        cease_channels -> Array<Text>,
        bankruptcy -> Bool,
        deceased -> Bool,
        disputed -> Bool,
        manager_hold -> Bool,
        time_barred -> Bool,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    templates (id) {
        id -> Uuid,
        creditor_id -> Nullable<Uuid>,
        key -> Text,
        name -> Text,
        channel -> Text,
        mentions_legal_action -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    template_versions (id) {
        id -> Uuid,
        template_id -> Uuid,
        version -> Int4,
        subject -> Text,
        body -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    correspondence_batches (id) {
        id -> Uuid,
        creditor_id -> Nullable<Uuid>,
        template_version_id -> Uuid,
        requested -> Int4,
        generated -> Int4,
        queued -> Int4,
        blocked -> Int4,
        failed -> Int4,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    correspondence (id) {
        id -> Uuid,
        creditor_id -> Uuid,
        account_id -> Uuid,
        template_version_id -> Uuid,
        batch_id -> Nullable<Uuid>,
        channel -> Text,
        status -> Text,
        blocked_reasons -> Array<Text>,
        subject -> Nullable<Text>,
        body -> Nullable<Text>,
        sender -> Nullable<Text>,
        letter_date -> Nullable<Date>,
        address_lines -> Array<Text>,
        email_id -> Nullable<Uuid>,
        opt_out_token -> Nullable<Text>,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        created_by -> Uuid,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(calls -> accounts (account_id));
diesel::joinable!(contact_holds -> accounts (account_id));
diesel::joinable!(users -> teams (team_id));
diesel::joinable!(template_versions -> templates (template_id));
diesel::joinable!(correspondence -> accounts (account_id));
diesel::joinable!(correspondence -> template_versions (template_version_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    refresh_tokens,
    server_secrets,
    creditors,
    debtors,
    debtor_addresses,
    debtor_phones,
    debtor_emails,
    accounts,
    journal_entries,
    journal_lines,
    import_profiles,
    imports,
    import_rejections,
    audit_log,
    receipt_books,
    payments,
    payment_parts,
    receipts,
    receipt_deliveries,
    idempotency_keys,
    bank_statement_imports,
    bank_statements,
    bank_statement_entries,
    deposit_batches,
    plans,
    plan_instalments,
    promises,
    follow_up_tasks,
    daily_runs,
    calls,
    contact_holds,
    teams,
    disputes,
    limitation_periods,
    contact_rules,
    templates,
    template_versions,
    correspondence_batches,
    correspondence,
);
