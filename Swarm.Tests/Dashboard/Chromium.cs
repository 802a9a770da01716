using Microsoft.Playwright;

namespace Swarm.Tests.Dashboard;

/// <summary>Debian's headless Chromium driven by Playwright for .NET: the browser is the one
/// scripts/test.d/30-chromium.sh installs (SWARM_TEST_CHROMIUM, else /usr/bin/chromium), started through
/// <c>ExecutablePath</c> so that Playwright downloads nothing; its driver is the node.js program shipped in the
/// Microsoft.Playwright package. A missing browser fails the test with the fix, it never skips it.</summary>
internal sealed class Chromium : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("SWARM_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static async Task<Chromium> LaunchAsync()
    {
        var path = ExecutablePath;
        Assert.True(File.Exists(path),
            $"the dashboard's browser test needs Debian's chromium at {path}: run `source scripts/test.d/30-chromium.sh` (it installs the apt package chromium), or set SWARM_TEST_CHROMIUM");
        var playwright = await Playwright.CreateAsync();
        try
        {
            // --no-sandbox: CI runs the tests as root, where Chromium's sandbox refuses to start.
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = path,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            });
            return new Chromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
