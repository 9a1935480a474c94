/**
 * The English message catalogue. Every user-facing string of the app lives here, in ICU
 * MessageFormat (plurals and placeholders the way translators know them). Other catalogues
 * must have exactly these keys; `Messages` makes the compiler check it.
 */
export const en = {
  'app.name': 'Vernacular',
  'app.tagline': 'Teach the national language model how your people really speak.',
  'app.skip': 'Skip to main content',
  'nav.label': 'Main',
  'nav.contribute': 'Contribute',
  'nav.mine': 'My contributions',
  'nav.settings': 'Settings',

  'consent.title': 'Before you start',
  'consent.intro':
    'Vernacular collects words, expressions and examples that you write, to teach a language model how people here speak. Your contributions become part of open datasets used to train and test that model.',
  'consent.collected.title': 'What is collected',
  'consent.collected.body':
    'What you write, the language you choose, the time you saved it, and a random pseudonymous id made on this device. No name, e-mail address or phone number is asked for.',
  'consent.licence.title': 'Licence',
  'consent.licence.body':
    'You give your contributions under the {licence} licence: anyone may use them, for any purpose, without asking. Do not write anything you do not want to share.',
  'consent.withdraw.title': 'Withdrawal',
  'consent.withdraw.body':
    'You can withdraw a contribution later. It is then left out of every dataset built after that.',
  'consent.privacy': 'Do not write personal details about yourself or others: names, addresses, phone numbers, health.',
  'consent.age': 'I am old enough to consent in my country, or a parent or guardian agrees.',
  'consent.agree': 'I agree, start',

  'status.label': 'Sending status',
  'status.online': 'Online',
  'status.offline': 'Offline',
  'status.waiting': '{count, plural, =0 {Nothing waiting to send} one {# waiting to send} other {# waiting to send}}',
  'status.lastSync': 'Last sent {when}',
  'status.neverSynced': 'Not sent yet',
  'status.syncing': 'Sending…',
  'status.sendNow': 'Send now',
  'status.retryAt': 'Next try {when}',

  'language.label': 'Language you are writing in',
  'language.hint': 'Chosen once and remembered. Pick from the list or type a language code.',
  'language.other': 'Other (type a code)',
  'language.custom': 'Language code (BCP 47), e.g. sw, pt-BR, ar-EG',
  'language.choose': 'Use this language',
  'language.change': 'Change',
  'language.current': 'Writing in {language}',

  'idiom.title': 'Share an idiom',
  'idiom.intro': 'An expression people here use, what it means, and an example of it in use.',
  'idiom.expression': 'Expression',
  'idiom.expression.hint': 'As people say it.',
  'idiom.meaning': 'Meaning',
  'idiom.meaning.hint': 'What it means, in your own words.',
  'idiom.example': 'Example of use',
  'idiom.example.hint': 'A sentence where someone would say it.',
  'idiom.region': 'Region or dialect (optional)',
  'idiom.register': 'Register (optional)',
  'idiom.register.none': 'Not specified',
  'idiom.register.formal': 'Formal',
  'idiom.register.neutral': 'Neutral',
  'idiom.register.informal': 'Informal',
  'idiom.register.slang': 'Slang',
  'idiom.register.vulgar': 'Vulgar',
  'idiom.register.archaic': 'Old-fashioned',
  'idiom.save': 'Save',
  'idiom.saved': 'Saved on this device. It will be sent when you are online.',
  'idiom.savedOnline': 'Saved. Sending it now.',
  'idiom.fixErrors': 'Please fix the highlighted fields.',
  'form.chars': '{count} / {max}',

  'mine.title': 'My contributions',
  'mine.empty': 'Nothing yet. What you save appears here, even offline.',
  'mine.export': 'Export all as JSON',
  'mine.count': '{count, plural, one {# contribution} other {# contributions}}',
  'mine.status.waiting': 'Waiting to send',
  'mine.status.sent': 'Sent',
  'mine.status.rejected': 'Not accepted',
  'mine.savedAt': 'Saved {when}',

  'settings.title': 'Settings',
  'settings.storage.title': 'Storage on this device',
  'settings.storage.persisted': 'Your contributions are kept: the browser will not clear them to free space.',
  'settings.storage.notPersisted':
    'The browser may clear stored data when space runs low. Unsent contributions could be lost then; send them when you can.',
  'settings.storage.unsupported': 'This browser cannot promise to keep stored data.',
  'settings.storage.usage': '{used} used of about {quota} available',
  'settings.identity.title': 'Your pseudonymous id',
  'settings.identity.body': 'Made on this device. It links your contributions together without saying who you are.',
  'settings.licence': 'Licence of your contributions: {licence}',
  'settings.version': 'App version {version}',
  'settings.device.title': 'This device',
  'settings.device.checking': 'Checking what this device can run…',
  'settings.device.webgpu': 'Language models can run on this device\'s graphics processor (WebGPU{fallback, select, true {, software fallback} other {}}).',
  'settings.device.wasm': 'Language models would run on the processor (WebAssembly{simd, select, true {, SIMD} other {}}{threads, select, true {, multi-threaded} other {}}).',
  'settings.device.failed': 'Could not check this device ({code}).',

  'update.ready': 'A new version of Vernacular is ready.',
  'update.now': 'Update now',
  'update.later': 'Later',

  'time.justNow': 'just now',

  'error.field.missing_field': 'This field is required.',
  'error.field.empty': 'This field is required.',
  'error.field.too_long': 'Too long: at most {max} characters.',
  'error.field.invalid_text': 'Contains characters that cannot be saved.',
  'error.field.invalid_language': 'Not a valid language code. Examples: sw, pt-BR, ar-EG.',
  'error.field.invalid_value': 'Choose one of the options.',
  'error.field.other': 'This value cannot be saved.',

  'error.storage_full': 'This device is out of storage space. Nothing already saved was lost; free some space and try again.',
  'error.storage_unavailable':
    'This browser does not let Vernacular store data (private browsing?). Open it in a normal window to save contributions.',
  'error.storage_failed': 'Saving failed. Nothing already saved was lost; please try again.',

  'error.sync.network': 'Could not reach the server. Will try again.',
  'error.sync.server': 'The server had a problem. Will try again.',
  'error.sync.unsupported_protocol': 'This app is too old for the server. Update the app to keep sending.',
  'error.sync.body_too_large': 'A batch was too large for the server. Will retry in smaller pieces.',
  'error.sync.rejected': '{count, plural, one {# contribution was} other {# contributions were}} not accepted by the server. See My contributions.',
  'error.sync.other': 'Sending failed ({code}). Will try again.',

  'reject.conflict': 'Another item with the same id is already on the server.',
  'reject.other': 'The server did not accept it ({code}).',
} as const;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
