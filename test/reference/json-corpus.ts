/**
 * The statements behind json.json: jsonb numbers kept exact, the jsonb operators (-> ->> #> #>>
 * @> <@ ? ?| ?& || - #-) and the json/jsonb functions, aggregates and set-returning functions
 * (issue 10). jsonb values are selected as text where a number must be exact: clients, as
 * PGlite's, parse jsonb numbers into doubles. Recorded from PostgreSQL 15 by
 * `scripts/record-values.ts <url> json`, replayed by sql-reference.test.ts.
 */
export const JSON_CORPUS: readonly string[] = [
  // exact numbers
  `select '{"a": 12345678901234567890.5}'::jsonb::text`,
  `select '{"b": 1.0, "c": [1e2, -0, 0.10, 1.5e-3, 100000000000000000000000]}'::jsonb::text`,
  `select ('{"a": 12345678901234567890.5}'::jsonb -> 'a')::text, ('{"a": 12345678901234567890.5}'::jsonb ->> 'a'), ('{"a": 1.50}'::jsonb -> 'a')::numeric`,
  `select '1.0'::jsonb = '1'::jsonb, '[1.0, 2]'::jsonb = '[1, 2.00]'::jsonb, '1.5'::jsonb > '1.25'::jsonb`,
  `select count(distinct x) from (values ('1.0'::jsonb), ('1'::jsonb), ('1.00'::jsonb), ('2'::jsonb)) v (x)`,
  `select '{"a": 1}'::jsonb, '[1, "x", null, true]'::jsonb, '"s"'::jsonb, '2.5'::jsonb`,
  `select 'null'::jsonb is null, 'null'::jsonb, '{"a": null}'::jsonb -> 'a' is null, '{"a": null}'::jsonb ->> 'a' is null, '[null]'::jsonb -> 0, 'null'::jsonb = 'null'::jsonb`,
  `select 'null'::jsonb || '[1]', '[1]'::jsonb || 'null', jsonb_build_array('null'::jsonb), jsonb_typeof('[null]'::jsonb -> 0)`,
  `select '{"a": 1, "a": 2}'::jsonb::text, '{"b": 1, "aa": 2, "a": 3}'::jsonb::text`,
  `select '{"a": }'::jsonb`,
  `select '[1, 2'::jsonb`,
  `select '01'::jsonb`,
  // -> ->> #> #>>
  `select '{"a": {"b": [10, 20, {"c": "x"}]}}'::jsonb #> '{a,b,2}', '{"a": {"b": [10, 20]}}'::jsonb #>> '{a,b,1}', '{"a": 1}'::jsonb #> '{x}', '{"a": [1]}'::jsonb #>> '{a,-1}'`,
  `select '{"a": {"b": "t"}}'::jsonb #>> '{a,b}', '{"a": {"b": null}}'::jsonb #>> '{a,b}', '[1,[2,3]]'::jsonb #> '{1,0}'`,
  `select '{"a": {"b":  [1, 2]}}'::json #> '{a,b}', '{"a": {"b": "q"}}'::json #>> '{a,b}'`,
  `select '[1,2,3]'::jsonb -> 1, '[1,2,3]'::jsonb -> -1, '{"a":"b"}'::jsonb ->> 'a', '{"a":"b"}'::jsonb -> 'z'`,
  // containment and existence
  `select '{"a": 1, "b": [1, 2, 3], "c": {"d": 4}}'::jsonb @> '{"b": [3, 1], "c": {}}', '{"a": 1}'::jsonb @> '{"a": 2}', '[1, 2, [3, 4]]'::jsonb @> '[[3]]', '[1, 2]'::jsonb @> '1'`,
  `select '{"a": 1}'::jsonb <@ '{"a": 1, "b": 2}', '"a"'::jsonb @> '"a"', '[{"a": 1, "b": 2}]'::jsonb @> '[{"a": 1}]', '{"a": [1, 2]}'::jsonb @> '{"a": 1}'`,
  `select '{"a": 1, "b": 2}'::jsonb ? 'a', '["a", "b"]'::jsonb ? 'b', '{"a": {"x": 1}}'::jsonb ? 'x', '"a"'::jsonb ? 'a'`,
  `select '{"a": 1, "b": 2}'::jsonb ?| array['z', 'b'], '{"a": 1, "b": 2}'::jsonb ?& array['a', 'b'], '{"a": 1}'::jsonb ?& array['a', 'z'], '{"a": 1}'::jsonb ?| '{}'`,
  // || - #-
  `select '{"a": 1}'::jsonb || '{"b": 2, "a": 3}', '[1, 2]'::jsonb || '[3]', '[1]'::jsonb || '{"a": 1}', '{"a": 1}'::jsonb || '5'`,
  `select '{"a": 1, "b": 2}'::jsonb - 'a', '["a", "b", "a"]'::jsonb - 'a', '[1, 2, 3]'::jsonb - 1, '[1, 2, 3]'::jsonb - -1, '{"a": 1, "b": 2, "c": 3}'::jsonb - array['a', 'c']`,
  `select '{"a": 1}'::jsonb - 0`,
  `select '5'::jsonb - 'a'`,
  `select '{"a": {"b": 1, "c": 2}}'::jsonb #- '{a,b}', '[1, [2, 3]]'::jsonb #- '{1,0}', '{"a": 1}'::jsonb #- '{x,y}', '[1, 2]'::jsonb #- '{-1}'`,
  // functions
  `select jsonb_set('{"a": {"b": 1}}', '{a,b}', '2'), jsonb_set('{"a": 1}', '{c}', '"new"'), jsonb_set('{"a": 1}', '{c}', '3', false), jsonb_set('[1, 2, 3]', '{1}', '"x"'), jsonb_set('[1, 2]', '{9}', '3'), jsonb_set('[1, 2]', '{-9}', '0')`,
  `select jsonb_set('{"a": 1}', '{a,b}', '2'), jsonb_set('{"a": 1}', '{x,y}', '2'), jsonb_set('{"a": 1}', '{a}', null)`,
  `select jsonb_set('5', '{a}', '1')`,
  `select jsonb_insert('{"a": [1, 2]}', '{a,1}', '9'), jsonb_insert('{"a": [1, 2]}', '{a,1}', '9', true), jsonb_insert('{"a": 1}', '{b}', '2'), jsonb_insert('[1]', '{5}', '2')`,
  `select jsonb_insert('{"a": 1}', '{a}', '2')`,
  `select jsonb_build_object('a', 1, 'b', 'two', 'c', null, 'd', true, 'e', 1.50, 'f', array[1, 2], 'g', '{"x": 1}'::jsonb, 'h', date '2024-01-02')`,
  `select jsonb_build_object('a', 1, 'b')`,
  `select jsonb_build_object(null, 1)`,
  `select jsonb_build_object(1, 'x', true, 'y'), jsonb_build_object(), jsonb_build_array(), jsonb_build_array(1, 'a', null, array['x'], 2.0)`,
  `select json_build_object('a', 1, 'b', array[1, 2]), json_build_array(1, 'a', null), json_build_object()`,
  `select to_jsonb(1), to_jsonb('a'::text), to_jsonb(1.50), to_jsonb(true), to_jsonb(array[1, 2]), to_jsonb(null::int), to_jsonb(timestamptz '2024-01-02 03:04:05.5+00'), to_jsonb(timestamp '2024-01-02 03:04:05'), to_jsonb(date '2024-01-02')`,
  `select to_jsonb('NaN'::float8), to_jsonb(1.5::float8), to_jsonb(9223372036854775807), to_jsonb(interval '1 day'), to_jsonb('{"a": 1}'::json)`,
  `select to_json(1), to_json('a'::text), to_json(array[1, 2]), to_json(array['a', null]), to_json('{"a" : 1}'::json), to_json('{"b": 2}'::jsonb)`,
  `select jsonb_typeof('{}'), jsonb_typeof('[]'), jsonb_typeof('"x"'), jsonb_typeof('1.5'), jsonb_typeof('true'), jsonb_typeof('null'), json_typeof('{"a": 1}')`,
  `select jsonb_strip_nulls('{"a": null, "b": {"c": null, "d": 1}, "e": [null, {"f": null}]}'), json_strip_nulls('{"a": null, "b": 2}')`,
  `select jsonb_pretty('{"a": 1, "b": [1, 2, {"c": {}}], "d": []}')`,
  `select jsonb_array_length('[1, 2, 3]'), json_array_length('[]'), jsonb_extract_path('{"a": {"b": 2}}', 'a', 'b'), jsonb_extract_path_text('{"a": {"b": "x"}}', 'a', 'b')`,
  `select jsonb_array_length('{"a": 1}')`,
  `select jsonb_array_length('5')`,
  // set-returning functions
  `select * from jsonb_each('{"b": 1, "a": [2], "c": null}')`,
  `select * from jsonb_each_text('{"b": 1, "a": [2], "c": null, "d": "s"}')`,
  `select key, value from json_each('{"x": 1, "y": {"z": 2}}') order by key`,
  `select * from jsonb_array_elements('[1, "a", {"b": 2}, null]')`,
  `select * from jsonb_array_elements_text('[1, "a", {"b": 2}, null]') with ordinality`,
  `select * from jsonb_object_keys('{"b": 1, "a": 2, "aa": 3}')`,
  `select k from jsonb_object_keys('{"b": 1}') k`,
  `select * from jsonb_array_elements('{"a": 1}')`,
  `select * from jsonb_each('[1]')`,
  `select * from jsonb_object_keys('[1]')`,
  // aggregates
  'create table jt (id int primary key, g text, doc jsonb, n numeric)',
  `insert into jt values (1, 'x', '{"k": 1, "tags": ["a", "b"]}', 1.50), (2, 'x', '{"k": 2, "tags": ["c"]}', 2), (3, 'y', '{"k": 3.0}', null), (4, 'y', null, 4)`,
  `select g, jsonb_agg(doc order by id), json_agg(n order by id desc), jsonb_object_agg(id, n) from jt group by g order by g`,
  `select json_object_agg(g, id order by id) from jt where id < 3`,
  `select jsonb_agg(x) from jt where false`,
  `select jsonb_object_agg(null::text, 1)`,
  `select id, doc -> 'k', doc ->> 'k', doc #>> '{tags,0}' from jt order by id`,
  `select id from jt where doc @> '{"tags": ["a"]}' order by id`,
  `select id from jt where doc ? 'tags' order by id`,
  `select id from jt where (doc ->> 'k')::numeric > 1 order by id`,
  `update jt set doc = jsonb_set(doc, '{k}', to_jsonb(id * 10)) where doc is not null returning id, doc`,
  `update jt set doc = doc || jsonb_build_object('extra', n) where id = 1 returning doc::text`,
  `select doc, count(*) from jt group by doc order by doc nulls first`,
  `select id, doc from jt order by doc desc nulls last, id`,
];
