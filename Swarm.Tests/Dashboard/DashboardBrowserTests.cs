using System.Text.RegularExpressions;
using Swarm.Node.Security;
using Swarm.Tasks;
using Swarm.Tests.Tasks;
using static Microsoft.Playwright.Assertions;

namespace Swarm.Tests.Dashboard;

/// <summary>The dashboard in a real browser (Debian's headless Chromium through Playwright) on a running four-node
/// task: four nodes in this process with the real task engine over the mutual-TLS transport (peer ports 28400-28403,
/// this test's own range), node-a approving tasks by hand. Its operator signs in on node-a's page, approves the
/// task node-b submitted, and watches it run to the end without reloading the page.</summary>
public sealed partial class DashboardBrowserTests
{
    private const int PeerPortBase = 28400;
    private const int Rounds = 4;
    private const string TaskId = "dash-1";
    private static readonly float Patience = (float)TimeSpan.FromMinutes(4).TotalMilliseconds;

    [Fact]
    public async Task The_dashboard_of_a_four_node_task_shows_members_approves_the_task_and_follows_its_rounds_live()
    {
        await using var nodes = await InProcessNodes.StartAsync(["127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1"], PeerPortBase,
            i => i == 0 ? "policy.approval = manual" : "", trainLimit: 2000);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"console: {message.Text} ({message.Location})");
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                errors.Add($"{response.Status} for {response.Request.Method} {response.Url}");
            }
        };

        await page.GotoAsync(new Uri(nodes[0].HttpAddress!, "/").ToString());
        await Expect(page.Locator("#login")).ToBeVisibleAsync();
        await Expect(page.Locator("#main")).ToBeHiddenAsync();
        await page.FillAsync("#token", AdminToken.ReadValue(nodes[0].AdminTokenPath!));
        await page.ClickAsync("#sign-in");
        await Expect(page.Locator("#node-name")).ToHaveTextAsync("node-a");
        // A marker that a reload would erase: every later change must come from the page's own polling.
        await page.EvaluateAsync("() => { window.swarmTestMarker = 'not reloaded'; }");

        foreach (var name in nodes.Names)
        {
            await Expect(page.Locator($"tr[data-member='{name}'] .status")).ToHaveTextAsync("up", new() { Timeout = 60_000 });
        }

        // node-b submits; node-a's operator has to decide, so the submission waits.
        var submit = nodes.SubmitAsync(1, nodes.Spec(TaskId, Rounds), CancellationToken.None);
        var pending = page.Locator($"[data-pending='{TaskId}']");
        await Expect(pending).ToContainTextAsync("from node-b", new() { Timeout = 60_000 });
        Assert.False(submit.IsCompleted, "the submission was answered before node-a's operator decided");
        await page.ClickAsync($"[data-approve='{TaskId}']");
        var submitted = await submit.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(submitted.Started, submitted.Error ?? string.Join("; ", submitted.Answers.Select(a => $"{a.Node}: {a.Reason}")));
        await Expect(pending).ToHaveCountAsync(0);

        // The task card follows the rounds as they are finalized, then the end: every round shown is kept as the
        // page draws it (a poll a second may step over a short round, so not every round need be seen).
        var card = page.Locator($"article[data-task='{TaskId}']");
        await Expect(card).ToBeVisibleAsync();
        await page.EvaluateAsync(ObserveRounds);
        await Expect(card.Locator("h3 .status")).ToHaveTextAsync(nameof(TaskState.Completed), new() { Timeout = Patience });
        var shown = (await page.EvaluateAsync<string[]>("() => window.swarmRounds")).Select(r => int.Parse(r.Split(" / ")[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(shown.Order(), shown);
        Assert.True(shown.Distinct().Count() >= 3, $"the page showed rounds {string.Join(", ", shown)}: fewer than three steps of a {Rounds}-round task");
        Assert.Equal(Rounds, shown[^1]);
        var info = (await nodes.TaskAsync(0, TaskId))!;
        // One point per round whose validation reports reached the chain (the sites report the last round's as the
        // task ends, and a completed peer may stop before its report is committed).
        var reported = info.Progress.Validation!.Count;
        Assert.True(reported >= Rounds - 1, $"only {reported} rounds' validation on the chain");
        await Expect(card.Locator("svg.curve circle")).ToHaveCountAsync(reported);
        await Expect(card.Locator("dd.height")).ToHaveTextAsync(info.Progress.ChainHeight.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(card.Locator("dd.model")).ToHaveTextAsync(info.Progress.ModelHash![..16]);
        Assert.Matches(BytesReceived(), await card.Locator("dd.bytes").InnerTextAsync());
        Assert.True(info.Progress.Transfers!.Sum(t => t.Bytes) > 0, "node-a received no bytes");
        var firstAuc = double.Parse(await card.Locator("svg.curve circle[data-round='1']").GetAttributeAsync("data-auc") ?? "", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(info.Progress.Validation![0].Auc, firstAuc, 4);
        Assert.Equal("not reloaded", await page.EvaluateAsync<string>("() => window.swarmTestMarker"));
        Assert.True(errors.Count == 0, "the page met errors:\n" + string.Join("\n", errors));
    }

    /// <summary>Records each round text the page draws into <c>window.swarmRounds</c> (the dashboard redraws a task's
    /// card when it changes).</summary>
    private const string ObserveRounds = """
        () => {
          window.swarmRounds = [];
          const keep = () => {
            const round = document.querySelector("article[data-task='dash-1'] dd.round");
            if (round && window.swarmRounds[window.swarmRounds.length - 1] !== round.textContent) { window.swarmRounds.push(round.textContent); }
          };
          keep();
          new MutationObserver(keep).observe(document.getElementById("tasks"), { childList: true, subtree: true, characterData: true });
        }
        """;

    [GeneratedRegex(@"^\d+(\.\d)? (B|KiB|MiB|GiB) in [1-9]\d* blobs$")]
    private static partial Regex BytesReceived();
}
