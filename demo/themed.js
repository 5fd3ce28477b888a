// Same client setup as the main demo (same identity: one person across both pages),
// plus every visible string replaced: the elements' i18n is their `strings` property.
const { configure } = window.CometKit;
let me = null;
try {
  me = JSON.parse(localStorage.getItem('cometkit-demo-identity') ?? 'null');
} catch {}
configure({ url: '/comet', identity: me?.user ? me : undefined, workerUrl: new URL('/dist/worker.js', location.href).href });

const strings = {
  'comet-feed': { label: 'أحداث مباشرة', newItems: '{count} جديد', loading: 'جارٍ التحميل…', empty: 'لا أحداث بعد.', notConnected: 'غير متصل.', error: 'تعذر التحميل: {error}', retry: 'أعد المحاولة' },
  'comet-bell': {
    button: 'الإشعارات، {count} غير مقروءة',
    buttonNone: 'الإشعارات',
    heading: 'الإشعارات',
    markAll: 'تعليم الكل كمقروء',
    markRead: 'مقروء',
    markReadLabel: 'تعليم كمقروء: {title}',
    empty: 'لا إشعارات بعد.',
    loading: 'جارٍ التحميل…',
    error: 'تعذر التحميل: {error}',
    open: 'فتح',
    unread: 'غير مقروء',
  },
  'comet-status': { none: 'غير مهيأ', idle: 'خامل', connecting: 'جارٍ الاتصال…', open: 'مباشر', reconnecting: 'إعادة الاتصال…', closed: 'غير متصل', via: 'عبر', retry: 'أعد المحاولة الآن' },
  'comet-presence': { label: 'متصل الآن: {count}', count: '{count} متصل', more: '+{count}', moreLabel: 'المزيد، عرض الجميع ({total})', you: '(أنت)', nobody: 'لا أحد متصل' },
  'comet-presence-badge': { online: '{user} متصل', offline: '{user} غير متصل' },
  'comet-toasts': { region: 'الإشعارات', dismiss: 'إغلاق', count: '×{count}', info: 'معلومة', success: 'نجاح', warning: 'تحذير', error: 'خطأ' },
};
for (const [tag, replacement] of Object.entries(strings)) {
  for (const element of document.querySelectorAll(tag)) element.strings = replacement;
}
document.getElementById('toast').addEventListener('click', () => {
  document.querySelector('comet-toasts').toast({ title: 'تم الحفظ', message: 'التغييرات منشورة الآن', severity: 'success', actions: [{ label: 'تراجع', value: 'undo' }] });
});
