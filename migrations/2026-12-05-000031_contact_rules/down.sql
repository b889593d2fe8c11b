DROP TABLE contact_rules;
