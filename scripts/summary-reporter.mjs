// A node:test reporter that prints nothing but one closing line, `N passed, N failed`, so that a
// run which executed no test at all is visible at a glance (and to CI).
export default async function* summaryReporter(source) {
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    // Suites and whole files report too; count only the tests themselves.
    if (event.data.details?.type === 'suite') continue;
    if (event.data.file && event.data.nesting === 0 && event.data.name === event.data.file) continue;
    if (event.type === 'test:pass' && !event.data.skip && !event.data.todo) passed += 1;
    if (event.type === 'test:fail') failed += 1;
  }
  yield `${passed} passed, ${failed} failed\n`;
}
