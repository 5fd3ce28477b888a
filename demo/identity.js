// The demos' identity, one per browser (localStorage is shared by its tabs): the main, chat and inbox demos are one person.
// The demo server has no sign-in: it takes the page's word for who it is.
window.demoIdentity = function demoIdentity() {
  let me = null;
  try {
    me = JSON.parse(localStorage.getItem('cometkit-demo-identity') ?? 'null');
  } catch {}
  if (!me?.user) {
    const n = Math.floor(1000 + Math.random() * 9000);
    me = { user: `guest-${n}-${Math.random().toString(36).slice(2, 8)}`, name: `Guest ${n}` };
    try {
      localStorage.setItem('cometkit-demo-identity', JSON.stringify(me));
    } catch {}
  }
  return me;
};
