// scripts/demo writes config.js next to the page; this is its shape.
window.DEMO_CONFIG = {
  supabaseUrl: 'http://127.0.0.1:54321',
  anonKey: '<anon key>',
  connection: 'conn_emulator_okta',
  organization: 'org_emulator_acme',
  provider: 'GoogleOAuth',
};
