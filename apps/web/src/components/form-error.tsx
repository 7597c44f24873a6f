/** The reason a form or button's request failed (the server's message), if it did. */
export function FormError(props: { error: string | null }) {
  if (!props.error) return null;
  return (
    <p className="form-error" role="alert">
      {props.error}
    </p>
  );
}
