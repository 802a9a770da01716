using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Threading.Channels;
using Microsoft.Playwright;
using Swarm.Node.Cli;
using Swarm.Node.Dashboard;
using Swarm.Node.Security;
using Swarm.Node.Service;
using Swarm.Node.Tasks;
using Swarm.Tasks;
using Swarm.Tests.Tasks;
using static Microsoft.Playwright.Assertions;

namespace Swarm.Tests.Dashboard;

/// <summary>Attacks on the dashboard of a node started alone with manual approval (its task engine a
/// <see cref="FakeTaskPeer"/>): without a credential no data leaves the node, and a page of another site, opened in
/// the very browser where the operator is signed in, can neither approve by a form post nor by a script.</summary>
public sealed class DashboardSecurityTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _temp = new();
    private readonly Channel<FakeTaskPeer.Event> _events = Channel.CreateUnbounded<FakeTaskPeer.Event>();

    [Fact]
    public async Task Without_a_credential_the_dashboard_serves_its_empty_page_and_no_data()
    {
        await using var node = await StartAsync();
        using var anonymous = new HttpClient();
        var address = node.HttpAddress!;

        using var page = await anonymous.GetAsync(new Uri(address, DashboardEndpoints.PagePath));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("solo", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var state = await anonymous.GetAsync(new Uri(address, "/dashboard/state"));
        Assert.Equal(HttpStatusCode.Unauthorized, state.StatusCode);
        Assert.DoesNotContain("solo", await state.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var wrong = await anonymous.PostAsJsonAsync(new Uri(address, DashboardEndpoints.LoginPath), new LoginBody(new string('0', 64)));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var plain = await anonymous.PostAsync(new Uri(address, DashboardEndpoints.LoginPath),
            new StringContent($"{{\"token\":\"{Token(node)}\"}}", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        using var foreign = new HttpRequestMessage(HttpMethod.Get, new Uri(address, DashboardEndpoints.PagePath));
        foreign.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.SendAsync(foreign)).StatusCode);

        // The token buys a session; its key reads the state and ends with a logout.
        using var login = await anonymous.PostAsJsonAsync(new Uri(address, DashboardEndpoints.LoginPath), new LoginBody(Token(node)));
        var session = (await login.Content.ReadFromJsonAsync<LoginResult>(TaskJson.Options))!.Session;
        using var signedIn = new HttpClient();
        signedIn.DefaultRequestHeaders.Authorization = new("Bearer", session);
        var shown = await signedIn.GetFromJsonAsync<DashboardState>(new Uri(address, "/dashboard/state"), TaskJson.Options);
        Assert.Equal("solo", shown!.Health.Node);
        using var logout = await signedIn.PostAsync(new Uri(address, "/dashboard/logout"), JsonContent.Create(new { }));
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await signedIn.GetAsync(new Uri(address, "/dashboard/state"))).StatusCode);
        var audit = File.ReadAllText(Path.Combine(_temp.Path, AuditLog.FileName));
        Assert.Contains("\"action\":\"login\"", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(Token(node), audit, StringComparison.Ordinal);
        Assert.DoesNotContain(session, audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cross_site_form_post_or_script_cannot_approve_a_task_while_the_operator_is_signed_in()
    {
        await using var node = await StartAsync();
        var api = NodeApis.Of(node);
        var submit = TaskCommand.SubmitAsync(api, SoloNode.SpecFile(_temp.Path, "held-x"), TextWriter.Null, TextWriter.Null, CancellationToken.None);
        await using var chromium = await Chromium.LaunchAsync();
        var context = await chromium.Browser.NewContextAsync();
        var dashboard = await context.NewPageAsync();
        await dashboard.GotoAsync(new Uri(node.HttpAddress!, DashboardEndpoints.PagePath).ToString());
        await dashboard.FillAsync("#token", Token(node));
        await dashboard.ClickAsync("#sign-in");
        await Expect(dashboard.Locator("[data-pending='held-x']")).ToBeVisibleAsync(new() { Timeout = (float)Wait.TotalMilliseconds });

        // The attacker's site, served to this browser by Playwright under its own origin.
        var approve = new Uri(node.HttpAddress!, "/tasks/held-x/approve").ToString();
        await context.RouteAsync("http://attacker.example/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = $$"""
                <!DOCTYPE html><html><body>
                <form id="f" method="post" enctype="text/plain" action="{{approve}}"><input name='{"reason":"' value='x"}'></form>
                <script>
                  fetch("{{approve}}", { method: "POST", credentials: "include", headers: { "Content-Type": "application/json" }, body: "{}" })
                    .then(r => { document.title = "fetch " + r.status; }, e => { document.title = "fetch refused"; });
                </script>
                </body></html>
                """,
        }));
        var attacker = await context.NewPageAsync();
        await attacker.GotoAsync("http://attacker.example/");
        await Expect(attacker).ToHaveTitleAsync("fetch refused");
        var posted = await attacker.RunAndWaitForResponseAsync(() => attacker.EvaluateAsync("() => document.getElementById('f').submit()"), approve);

        Assert.Equal((int)HttpStatusCode.Unauthorized, posted.Status);
        var info = await NodeApis.Client(node).GetFromJsonAsync<TaskInfo>(new Uri(node.HttpAddress!, "/tasks/held-x"), TaskJson.Options);
        Assert.Equal(TaskState.AwaitingApproval, info!.Progress.State);
        Assert.False(submit.IsCompleted);
        Assert.False(_events.Reader.TryRead(out _), "the task started");
        Assert.Contains("\"action\":\"request\",\"task\":\"/tasks/held-x/approve\",\"actor\":\"anonymous\",\"outcome\":\"denied\"",
            File.ReadAllText(Path.Combine(_temp.Path, AuditLog.FileName)), StringComparison.Ordinal);

        // The operator's own click still works.
        await dashboard.ClickAsync("[data-approve='held-x']");
        await Expect(dashboard.Locator("#message")).ToContainTextAsync("approved, now Starting");
        Assert.Equal(ExitCodes.Ok, await submit.WaitAsync(Wait));
    }

    private static string Token(ClusterNode node) => AdminToken.ReadValue(node.AdminTokenPath!);

    private Task<ClusterNode> StartAsync() =>
        SoloNode.StartWithFakePeersAsync(_temp.Path, _events.Writer, policy => policy with { Approval = ApprovalMode.Manual });

    public void Dispose() => _temp.Dispose();
}
