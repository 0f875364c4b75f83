'use client';
import { apiErrorMessage } from '@/api-error';
import { useState } from 'react';

export default function SignIn() {
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="card" style={{ maxWidth: 360 }}>
      <h1>Sign in</h1>
      <p className="muted">Starting, cancelling and promoting need the admin password (ADMIN_PASSWORD).</p>
      <form
        action={async (form) => {
          const res = await fetch('/api/auth/signin', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ password: form.get('password') }),
          });
          if (res.ok) window.location.href = '/';
          else setError(apiErrorMessage(await res.json(), res.status));
        }}
      >
        <label>
          Password
          <input name="password" type="password" autoFocus />
        </label>
        <button type="submit" style={{ marginTop: 8 }}>
          Sign in
        </button>
        {error && (
          <div className="error" role="alert">
            {error}
          </div>
        )}
      </form>
    </div>
  );
}
