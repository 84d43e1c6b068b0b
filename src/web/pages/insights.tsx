import { Layout } from '../components';
import type { WebContext } from '../context';
import { render } from '../render';

export async function insightsPage(c: WebContext) {
  const project = c.get('project');
  return render(
    c,
    <Layout c={c} title="Insights" project={project} section="insights">
      <h1>Insights</h1>
      <p>Coming with the query endpoint.</p>
    </Layout>,
  );
}
