using System.Net.Http.Headers;

namespace Swarm.Node.Cli;

/// <summary>A running node's HTTP API as a client reaches it: its address and the admin token its state-changing
/// endpoints need (<c>Security.AdminToken</c>). <see cref="ToString"/> leaves the token out, so printing a client
/// never shows it.</summary>
/// <param name="Endpoint">e.g. http://127.0.0.1:7480.</param>
/// <param name="Token">The admin token.</param>
/// <param name="TokenSource">Where the token came from (a file path), for messages.</param>
public sealed record NodeApi(Uri Endpoint, string Token, string TokenSource = "the caller")
{
    /// <summary>A client that sends the token with every request.</summary>
    public HttpClient CreateClient(TimeSpan timeout)
    {
        var http = new HttpClient { Timeout = timeout };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return http;
    }

    public override string ToString() => $"{Endpoint} (admin token from {TokenSource})";
}
