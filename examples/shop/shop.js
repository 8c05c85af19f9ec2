// The demo shop's pages, rendered from catalog.json: product links carry the tracker's click attributes
// (data-ff-event, data-ff-prop-*), "Add to cart" and the order are custom events with properties, the
// order with revenue. The same code renders the multi-page shop (/demo/cart, /demo/product?id=...) and the single-page one
// (/demo/spa/, History API routing), which passes its own `link` and `go`.
;(() => {
  const CART = 'footfall-demo-cart'
  const track = (name, props) => window.footfall && window.footfall.track(name, props)
  const cart = {
    items: () => JSON.parse(localStorage.getItem(CART) || '[]'),
    add(p) { localStorage.setItem(CART, JSON.stringify([...cart.items(), p])) },
    clear() { localStorage.removeItem(CART) },
  }
  const money = (n, currency) => new Intl.NumberFormat('en', { style: 'currency', currency }).format(n)
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
  let catalogPromise
  const catalog = () => (catalogPromise ??= fetch('/demo/catalog.json').then((r) => r.json()))

  /** Multi-page links, without .html: Workers static assets serve /demo/cart.html at /demo/cart (and redirect
   * the .html URL there), so that is the URL visitors see and the tracker reports. */
  const pageLink = {
    home: () => '/demo/',
    category: (id) => `/demo/category?c=${id}`,
    product: (id) => `/demo/product?id=${id}`,
    cart: () => '/demo/cart',
    checkout: () => '/demo/checkout',
    order: () => '/demo/order',
  }

  function productCard(c, p, link) {
    return `<li><a href="${link.product(p.id)}" data-ff-event="product_click" data-ff-prop-product_id="${p.id}"
      data-ff-prop-category="${p.category}">${esc(p.name)}</a><br><span class="price">${money(p.price, c.currency)}</span></li>`
  }

  function cartList(c, root) {
    const items = cart.items()
    const total = Math.round(items.reduce((s, p) => s + p.price, 0) * 100) / 100
    root.querySelector('#cart').innerHTML = items.length
      ? items.map((p) => `<li>${esc(p.name)} <span class="price">${money(p.price, c.currency)}</span></li>`).join('')
      : '<li>Your cart is empty.</li>'
    root.querySelector('#total').textContent = `Total: ${money(total, c.currency)}`
    return { items, total }
  }

  /**
   * Renders page `page` into `root`.
   * @param {{ page: string, params: URLSearchParams, root: ParentNode, link?: typeof pageLink, go?: (url: string) => void }} o
   */
  async function render({ page, params, root, link = pageLink, go = (url) => location.assign(url) }) {
    const c = await catalog()
    const nav = root.querySelector('#nav')
    if (nav) {
      nav.innerHTML = c.categories.map((k) => `<a href="${link.category(k.id)}">${esc(k.name)}</a>`).join('') +
        `<a href="${link.cart()}" id="cart-link">Cart (${cart.items().length})</a>`
    }
    const title = (t) => (document.title = `${t} - Footfall demo shop`)
    switch (page) {
      case 'home':
        root.querySelector('#products').innerHTML = c.products.filter((_, i) => i % 3 === 0).map((p) => productCard(c, p, link)).join('')
        break
      case 'category': {
        const k = c.categories.find((x) => x.id === params.get('c')) || c.categories[0]
        title(k.name)
        root.querySelector('#title').textContent = k.name
        root.querySelector('#products').innerHTML = c.products.filter((p) => p.category === k.id).map((p) => productCard(c, p, link)).join('')
        break
      }
      case 'product': {
        const p = c.products.find((x) => x.id === params.get('id')) || c.products[0]
        title(p.name)
        root.querySelector('#product').innerHTML = `<h1>${esc(p.name)}</h1>
          <p><a href="${link.category(p.category)}">${esc(c.categories.find((k) => k.id === p.category).name)}</a></p>
          <p class="price">${money(p.price, c.currency)}</p>
          <button id="add-to-cart" type="button">Add to cart</button>`
        root.querySelector('#add-to-cart').addEventListener('click', () => {
          cart.add(p)
          track('add_to_cart', { product_id: p.id, category: p.category, price: p.price, quantity: 1 })
          go(link.cart())
        })
        break
      }
      case 'cart': {
        const { items } = cartList(c, root)
        const next = root.querySelector('#to-checkout')
        next.href = link.checkout()
        next.hidden = items.length === 0
        break
      }
      case 'checkout': {
        cartList(c, root)
        root.querySelector('#checkout').addEventListener('submit', (e) => {
          e.preventDefault()
          const { items, total } = cartList(c, root)
          if (!items.length) return
          if (e.target.signin.checked && window.footfall.identify) {
            window.footfall.identify('user-demo', { age: 36, country: 'DE', tier: 'plus' })
          }
          const orderId = `o-${Date.now().toString(36)}`
          track('order', { order_id: orderId, revenue: total, currency: c.currency, items: items.length })
          cart.clear()
          go(link.order())
        })
        break
      }
    }
  }

  window.footfallShop = { render, catalog, cart }
  const page = document.body.dataset.page
  if (page && page !== 'spa') render({ page, params: new URLSearchParams(location.search), root: document })
})()
