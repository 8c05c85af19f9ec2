import { render } from 'preact'
import { App } from './App.tsx'
import { adoptTokenFromHash } from './api.ts'
import './style.css'

adoptTokenFromHash()
render(<App />, document.getElementById('app')!)
