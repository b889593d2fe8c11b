DROP TABLE import_rejections;
DROP TABLE imports;
DROP TABLE import_profiles;
