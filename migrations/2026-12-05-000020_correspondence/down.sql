DROP TABLE correspondence;
DROP TABLE correspondence_batches;
DROP TRIGGER template_versions_immutable ON template_versions;
DROP FUNCTION template_versions_immutable();
DROP TABLE template_versions;
DROP TABLE templates;
