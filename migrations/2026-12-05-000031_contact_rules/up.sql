-- Contact rules per jurisdiction and channel, as data an administrator can
-- change. `jurisdiction` is an ISO 3166-1 alpha-2 country code, or
-- 'default' for every country without rows of its own. A country's missing
-- channel falls back to the default row for that channel.
CREATE TABLE contact_rules (
    jurisdiction text NOT NULL CONSTRAINT contact_rules_jurisdiction_check CHECK (jurisdiction = 'default' OR jurisdiction ~ '^[A-Z]{2}$'),
    channel text NOT NULL CONSTRAINT contact_rules_channel_check CHECK (channel IN ('call', 'sms', 'email', 'letter')),
    -- Local hours in which contact is allowed, start inclusive and end
    -- exclusive; both null allow any time.
    window_start time,
    window_end time,
    -- At most cap_attempts outbound attempts in any cap_days consecutive
    -- local days; both null mean no cap. Eligibility loads 15 days of calls,
    -- so both day counts stop at 14.
    cap_attempts integer CONSTRAINT contact_rules_cap_attempts_check CHECK (cap_attempts BETWEEN 1 AND 100),
    cap_days integer CONSTRAINT contact_rules_cap_days_check CHECK (cap_days BETWEEN 1 AND 14),
    -- Local days, the conversation's own day included, without contact on
    -- this channel after a conversation on it.
    quiet_days_after_conversation integer NOT NULL DEFAULT 0
        CONSTRAINT contact_rules_quiet_days_check CHECK (quiet_days_after_conversation BETWEEN 0 AND 14),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by uuid REFERENCES users (id),
    PRIMARY KEY (jurisdiction, channel),
    CONSTRAINT contact_rules_window_check CHECK ((window_start IS NULL) = (window_end IS NULL) AND (window_start IS NULL OR window_start < window_end)),
    CONSTRAINT contact_rules_cap_check CHECK ((cap_attempts IS NULL) = (cap_days IS NULL))
);

-- United States, Regulation F (12 CFR 1006.6(b)(1) and 1006.14(b)(2)):
-- 08:00 to 21:00 local time for every communication; at most 7 call
-- attempts in 7 consecutive days, and no call for 7 days after a telephone
-- conversation. India, the Reserve Bank of India's guidelines for recovery
-- agents: 08:00 to 19:00. Elsewhere: 08:00 to 21:00, no cap.
INSERT INTO contact_rules (jurisdiction, channel, window_start, window_end, cap_attempts, cap_days, quiet_days_after_conversation) VALUES
    ('US', 'call', '08:00', '21:00', 7, 7, 7),
    ('US', 'sms', '08:00', '21:00', NULL, NULL, 0),
    ('US', 'email', '08:00', '21:00', NULL, NULL, 0),
    ('US', 'letter', NULL, NULL, NULL, NULL, 0),
    ('IN', 'call', '08:00', '19:00', NULL, NULL, 0),
    ('IN', 'sms', '08:00', '19:00', NULL, NULL, 0),
    ('IN', 'email', '08:00', '19:00', NULL, NULL, 0),
    ('IN', 'letter', NULL, NULL, NULL, NULL, 0),
    ('default', 'call', '08:00', '21:00', NULL, NULL, 0),
    ('default', 'sms', '08:00', '21:00', NULL, NULL, 0),
    ('default', 'email', '08:00', '21:00', NULL, NULL, 0),
    ('default', 'letter', NULL, NULL, NULL, NULL, 0);
