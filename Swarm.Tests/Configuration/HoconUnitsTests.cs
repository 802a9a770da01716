using Swarm.Node.Configuration.Hocon;

namespace Swarm.Tests.Configuration;

public sealed class HoconUnitsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("5s", 5_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1.5 seconds", 1_500)]
    [InlineData("250", 250)]
    public void Durations_are_read_with_their_unit(string text, double milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Hocon.Load($"d = {text}").GetDuration("d"));
    }

    [Theory]
    [InlineData("64MiB", 64L << 20)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("512kB", 512_000)]
    [InlineData("64M", 64L << 20)]
    [InlineData("10B", 10)]
    [InlineData("4096", 4096)]
    public void Sizes_are_read_with_their_unit(string text, long bytes)
    {
        Assert.Equal(bytes, Hocon.Load($"s = {text}").GetBytes("s"));
    }

    [Fact]
    public void A_bad_duration_names_file_line_key_and_the_expected_form()
    {
        var error = Assert.Throws<HoconException>(() => Hocon.Load("a = 1\ntimeout = 5 parsecs").GetDuration("timeout"));
        Assert.Equal("test.conf:2: key 'timeout': expected a duration such as 500ms, 5s, 2m, 1h or 1d, got \"5 parsecs\"", error.Message);
    }

    [Fact]
    public void A_bad_size_is_rejected()
    {
        Assert.Throws<HoconException>(() => Hocon.Load("s = 12 parsecs").GetBytes("s"));
    }

    [Fact]
    public void Durations_and_sizes_format_back_to_their_shortest_exact_form()
    {
        Assert.Equal("2m", HoconDuration.Format(TimeSpan.FromMinutes(2)));
        Assert.Equal("1500ms", HoconDuration.Format(TimeSpan.FromMilliseconds(1500)));
        Assert.Equal("16MiB", HoconSize.Format(16L << 20));
    }
}
