// Starts GraphiQL with its explorer on the endpoint that served this page. A file, not an
// inline script, so the page's Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";

  var EXAMPLE_QUERY = [
    "# Orders GraphiQL, served by this service alone.",
    "#",
    "# Headers (below): paste the token that",
    "# `orders serve` printed, as",
    '#   {"Authorization": "Bearer <token>"}',
    "#",
    "# Run: Ctrl-Enter or the play button.",
    "",
    "query Search {",
    '  orders(search: "marta", first: 10) {',
    "    totalCount",
    "    edges {",
    "      node { id status total currency customer { name } }",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");

  var endpoint = window.location.origin + window.location.pathname;
  var socket = new URL(endpoint);
  socket.protocol = socket.protocol === "https:" ? "wss:" : "ws:";

  // Subscriptions: GraphiQL opens a graphql-transport-ws client per operation and sends the
  // headers editor's JSON as the connection_init payload.
  function createFetcher() {
    return GraphiQL.createFetcher({ url: endpoint, subscriptionUrl: socket.toString() });
  }

  function authorizationOf(headers) {
    try {
      var parsed = JSON.parse(headers);
      return (parsed && (parsed.Authorization || parsed.authorization)) || null;
    } catch (error) {
      return null; // not JSON (yet): half typed
    }
  }

  function Playground() {
    var state = React.useState(null);
    // A new fetcher makes GraphiQL fetch the schema again: a pasted token takes effect at once.
    var fetcher = React.useMemo(createFetcher, [state[0]]);
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      onEditHeaders: function (headers) {
        state[1](authorizationOf(headers));
      },
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
      defaultQuery: EXAMPLE_QUERY,
      defaultEditorToolsVisibility: "headers", // opens on the token
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(Playground),
  );
})();
