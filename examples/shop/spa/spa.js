// The single-page shop: one document, routes in the path (/demo/spa/category/tea, /demo/spa/product/tea-01,
// /demo/spa/cart, ...) changed with history.pushState, so the tracker's SPA mode sees each route as a page.
// Every route also exists as a copy of index.html (scripts/build.mjs), so a reload or a deep link works.
;(() => {
  const BASE = '/demo/spa/'
  const link = {
    home: () => BASE,
    category: (id) => `${BASE}category/${id}`,
    product: (id) => `${BASE}product/${id}`,
    cart: () => `${BASE}cart`,
    checkout: () => `${BASE}checkout`,
    order: () => `${BASE}order`,
  }
  const VIEWS = {
    home: '<h1>Footfall demo shop</h1><p>The single-page shop.</p><ul class="grid" id="products"></ul>',
    category: '<h1 id="title"></h1><ul class="grid" id="products"></ul>',
    product: '<article id="product"></article>',
    cart: '<h1>Cart</h1><ul id="cart"></ul><p id="total"></p><a id="to-checkout" class="button">Checkout</a>',
    checkout: `<h1>Checkout</h1><ul id="cart"></ul><p id="total"></p><form id="checkout">
      <label>Name <input name="name" required value="Ada Lovelace" /></label>
      <label><input type="checkbox" name="signin" /> Sign in as the demo customer (identify)</label>
      <button id="place-order" type="submit">Place order</button></form>`,
    order: '<h1>Thank you</h1><p id="confirmation">Your order is on its way.</p>',
  }

  function route(path) {
    const [page = 'home', id = ''] = path.slice(BASE.length).split('/').filter(Boolean)
    const params = new URLSearchParams(page === 'category' ? { c: id } : page === 'product' ? { id } : {})
    return { page: page in VIEWS ? page : 'home', params }
  }

  function show() {
    const { page, params } = route(location.pathname)
    document.querySelector('#view').innerHTML = VIEWS[page]
    document.title = 'Footfall demo shop (single page)'
    window.footfallShop.render({ page, params, root: document, link, go })
  }

  function go(url) {
    history.pushState(null, '', url)
    show()
    scrollTo(0, 0)
  }

  // Same-origin links inside the shop navigate in place (the tracker's click capture sees them first).
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[href]')
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return
    const url = new URL(a.href)
    if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) return
    e.preventDefault()
    go(url.pathname)
  })
  addEventListener('popstate', show)
  show()
})()
