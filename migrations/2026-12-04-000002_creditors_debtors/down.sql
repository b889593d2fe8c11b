DROP TABLE debtor_emails;
DROP TABLE debtor_phones;
DROP TABLE debtor_addresses;
DROP TABLE debtors;
DROP TABLE creditors;
