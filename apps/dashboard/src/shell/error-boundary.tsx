import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  /** Changing it clears a caught error (e.g. the route). */
  resetKey?: string;
}

interface State {
  error: Error | undefined;
  resetKey?: string;
}

/** A view that throws while rendering shows what went wrong instead of a blank page. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: undefined, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey !== state.resetKey ? { error: undefined, resetKey: props.resetKey } : null;
  }

  override componentDidCatch(_error: Error, _info: ErrorInfo): void {
    // The message is shown; nothing is sent anywhere.
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <section className="panel problem" role="alert" aria-labelledby="crash-title">
        <h2 id="crash-title">This view failed to display</h2>
        <p>{this.state.error.message || 'An unexpected error occurred.'}</p>
        <p>
          <button type="button" onClick={() => this.setState({ error: undefined })}>
            Try again
          </button>{' '}
          <a href="/">Back to the overview</a>
        </p>
      </section>
    );
  }
}
