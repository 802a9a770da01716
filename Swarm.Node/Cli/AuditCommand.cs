using System.CommandLine;
using System.Globalization;
using Swarm.Learning.Audit;
using Swarm.Learning.Data;
using Swarm.Learning.Statistics;
using Swarm.Learning.Training;
using Swarm.Node.Audit;

namespace Swarm.Node.Cli;

/// <summary><c>swarm audit</c>: privacy measured by attacking what each party sees.</summary>
public static class AuditCommand
{
    public static Command Create()
    {
        var command = new Command("audit", "Privacy audits: attacks on what a peer sees, written to a report folder.");
        command.Subcommands.Add(Inversion());
        command.Subcommands.Add(Membership());
        return command;
    }

    public sealed record InversionSettings
    {
        public string Dataset { get; init; } = "pneumoniamnist";
        public string Model { get; init; } = "smallcnn";
        public int Batch { get; init; } = 4;
        public int Sites { get; init; } = 4;
        public double Theta { get; init; } = 0.1;
        public double NoiseMultiplier { get; init; } = 0.1;
        public double ClipNorm { get; init; } = 1.0;
        public int Iterations { get; init; } = 400;
        public int Seed { get; init; } = 1;
        public int Threads { get; init; } = 2;

        public string? Problem() =>
            Batch < 1 || Sites < 2 || Iterations < 1 || Threads < 1 ? "--batch and --iterations must be at least 1, --sites at least 2"
            : !(Theta is > 0 and <= 1) ? "--theta must be in (0, 1]"
            : NoiseMultiplier < 0 || ClipNorm <= 0 ? "--noise-multiplier must be ≥ 0 and --clip-norm > 0"
            : null;
    }

    private static Command Inversion()
    {
        var command = new Command("inversion", "Gradient inversion (DLG/iDLG) of a site's update at the shared model: raw single image and batch, top-θ, DP-SGD, and the sum of several sites (what secure aggregation reveals); PSNR/SSIM against the true images and a picture.");
        var d = new InversionSettings();
        var dataset = new Option<string>("--dataset") { Description = "pneumoniamnist, breastmnist or retinamnist", DefaultValueFactory = _ => d.Dataset };
        var model = new Option<string>("--model") { Description = "smallcnn, resnet18-gn", DefaultValueFactory = _ => d.Model };
        var batch = new Option<int>("--batch") { Description = "Batch size of the batch scenario (labels given to the attacker)", DefaultValueFactory = _ => d.Batch };
        var sites = new Option<int>("--sites") { Description = "Sites in the summed scenario", DefaultValueFactory = _ => d.Sites };
        var theta = new Option<double>("--theta") { Description = "Top-θ fraction shared in the partial-sharing scenario", DefaultValueFactory = _ => d.Theta };
        var noise = new Option<double>("--noise-multiplier") { Description = "σ of the DP-SGD scenario", DefaultValueFactory = _ => d.NoiseMultiplier };
        var clip = new Option<double>("--clip-norm") { Description = "C of the DP-SGD scenario", DefaultValueFactory = _ => d.ClipNorm };
        var iterations = new Option<int>("--iterations") { Description = "Optimisation steps of each attack", DefaultValueFactory = _ => d.Iterations };
        var seed = new Option<int>("--seed") { Description = "Seed of the model and of the attack's start", DefaultValueFactory = _ => d.Seed };
        var threads = new Option<int>("--threads") { Description = "libtorch threads", DefaultValueFactory = _ => d.Threads };
        var output = new Option<string?>("--out") { Description = "Report folder (default reports/audit-inversion-<UTC time>)" };
        foreach (var option in new Option[] { dataset, model, batch, sites, theta, noise, clip, iterations, seed, threads, output })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, ct) => Task.FromResult(RunInversion(new InversionSettings
        {
            Dataset = parse.GetValue(dataset)!, Model = parse.GetValue(model)!, Batch = parse.GetValue(batch),
            Sites = parse.GetValue(sites), Theta = parse.GetValue(theta), NoiseMultiplier = parse.GetValue(noise),
            ClipNorm = parse.GetValue(clip), Iterations = parse.GetValue(iterations), Seed = parse.GetValue(seed),
            Threads = parse.GetValue(threads),
        }, parse.GetValue(output))));
        return command;
    }

    /// <summary>Runs every scenario and writes the report; the command's whole code path (tests call it).</summary>
    public static int RunInversion(InversionSettings settings, string? folder)
    {
        if (settings.Problem() is { } problem)
        {
            Console.Error.WriteLine($"swarm audit inversion: {problem}");
            return ExitCodes.Usage;
        }
        folder ??= Path.Combine("reports", "audit-inversion-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        return TrainingFailures.Guard("swarm audit inversion", () =>
        {
            var train = MedMnist.Load(settings.Dataset).Train;
            TorchRuntime.SetThreads(settings.Threads);
            using var model = TorchTrainer.Create(settings.Model, train.Channels, train.Classes, train.Height, (ulong)settings.Seed);
            var audit = new InversionAudit(model, train, new InversionOptions(Iterations: settings.Iterations, Seed: settings.Seed));
            var shape = new ImageShape(train.Channels, train.Height, train.Width);
            var outcomes = new List<InversionOutcome>();
            void Run(Func<InversionOutcome> scenario)
            {
                var outcome = scenario();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{outcome.Scenario}: PSNR {outcome.MeanPsnr:F2} dB, SSIM {outcome.MeanSsim:F3} (random same-class image: {outcome.MeanBaselinePsnr:F2} dB, class mean: {outcome.MeanClassMeanPsnr:F2} dB)"));
                outcomes.Add(outcome);
            }
            Run(() => audit.Raw(0, 1));
            Run(() => audit.Raw(1, settings.Batch));
            Run(() => audit.TopTheta(0, settings.Theta));
            Run(() => audit.Dp(0, settings.NoiseMultiplier, settings.ClipNorm));
            Run(() => audit.SumOfSites(0, settings.Sites));
            InversionReport.Write(folder, $"{settings.Dataset}, {settings.Model} at its initialisation (seed {settings.Seed})", shape, outcomes,
            [
                "Threat model (DLG's FedSGD setting): a site publishes the gradient of one step on its batch at the shared model; a one-step SGD update is −η times it and η is in the task spec, so a peer holding the update holds the gradient. Updates of several local steps are harder to invert; this audit measures the easiest case for the attacker.",
                string.Create(CultureInfo.InvariantCulture, $"Attack: Adam on the pixels, {settings.Iterations} steps from noise, loss ‖∇θL(x, y) − g‖² (only the revealed coordinates under top-θ) plus total variation; a single image's label is read off the last bias gradient (iDLG); a batch's labels are given to the attacker."),
                "The sum scenario is what every peer sees under secure aggregation or secret sharing: the mean of the sites' gradients, attacked as one image; its one reconstruction is compared with each site's image.",
                "Baselines, which need no gradient: the mean PSNR between the true image and 20 training images of its class, and the PSNR of the class's mean training image (a blurred prototype; an average of several sites' images resembles it).",
                "The DP scenario's noise is seeded so that the audit repeats; sites draw theirs from the OS CSPRNG.",
            ]);
            Console.WriteLine($"report: {Path.GetFullPath(folder)}");
            return ExitCodes.Ok;
        });
    }

    public sealed record MembershipAuditSettings
    {
        public string Dataset { get; init; } = "breastmnist";
        public int Sites { get; init; } = 4;
        public int MembersPerSite { get; init; } = 64;
        public int NonMembers { get; init; } = 256;
        public int Rounds { get; init; } = 10;
        public int LocalEpochs { get; init; } = 3;
        public double NoiseMultiplier { get; init; } = 2.0;
        public double ClipNorm { get; init; } = 1.0;
        public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3];
        public int Threads { get; init; } = 2;

        public string? Problem() =>
            Sites < 2 || MembersPerSite < 2 || NonMembers < 2 ? "--sites, --members-per-site and --non-members must be at least 2"
            : Rounds < 1 || LocalEpochs < 1 || Threads < 1 ? "--rounds, --local-epochs and --threads must be at least 1"
            : NoiseMultiplier <= 0 || ClipNorm <= 0 ? "--noise-multiplier and --clip-norm must be positive"
            : Seeds.Count == 0 || Seeds.Distinct().Count() != Seeds.Count ? "--seeds must name at least one seed, each once"
            : null;
    }

    private static Command Membership()
    {
        var command = new Command("membership", "Membership inference inside a swarm run (FedAvg in one process), plain and with local DP-SGD, over seeds: on the final global model, on one site's published update, and on the mean of all sites' updates (what secure aggregation or secret sharing leaves).");
        var d = new MembershipAuditSettings();
        var dataset = new Option<string>("--dataset") { Description = "pneumoniamnist, breastmnist or retinamnist", DefaultValueFactory = _ => d.Dataset };
        var sites = new Option<int>("--sites") { Description = "Sites training together", DefaultValueFactory = _ => d.Sites };
        var members = new Option<int>("--members-per-site") { Description = "Training images of each site", DefaultValueFactory = _ => d.MembersPerSite };
        var nonMembers = new Option<int>("--non-members") { Description = "Images no site trains on", DefaultValueFactory = _ => d.NonMembers };
        var rounds = new Option<int>("--rounds") { Description = "FedAvg rounds", DefaultValueFactory = _ => d.Rounds };
        var epochs = new Option<int>("--local-epochs") { Description = "Local epochs per round", DefaultValueFactory = _ => d.LocalEpochs };
        var noise = new Option<double>("--noise-multiplier") { Description = "σ of the DP-SGD runs", DefaultValueFactory = _ => d.NoiseMultiplier };
        var clip = new Option<double>("--clip-norm") { Description = "C of the DP-SGD runs", DefaultValueFactory = _ => d.ClipNorm };
        var seeds = new Option<int[]>("--seeds") { Description = "Seeds (members drawn, training)", DefaultValueFactory = _ => [.. d.Seeds], AllowMultipleArgumentsPerToken = true };
        var threads = new Option<int>("--threads") { Description = "libtorch threads", DefaultValueFactory = _ => d.Threads };
        var output = new Option<string?>("--out") { Description = "Report folder (default reports/audit-membership-<UTC time>)" };
        foreach (var option in new Option[] { dataset, sites, members, nonMembers, rounds, epochs, noise, clip, seeds, threads, output })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, ct) => Task.FromResult(RunMembership(new MembershipAuditSettings
        {
            Dataset = parse.GetValue(dataset)!, Sites = parse.GetValue(sites), MembersPerSite = parse.GetValue(members),
            NonMembers = parse.GetValue(nonMembers), Rounds = parse.GetValue(rounds), LocalEpochs = parse.GetValue(epochs),
            NoiseMultiplier = parse.GetValue(noise), ClipNorm = parse.GetValue(clip), Seeds = parse.GetValue(seeds)!,
            Threads = parse.GetValue(threads),
        }, parse.GetValue(output))));
        return command;
    }

    /// <summary>Runs the plain and the DP swarm at every seed and writes <c>membership.md</c>; the command's whole
    /// code path (tests call it).</summary>
    public static int RunMembership(MembershipAuditSettings settings, string? folder)
    {
        if (settings.Problem() is { } problem)
        {
            Console.Error.WriteLine($"swarm audit membership: {problem}");
            return ExitCodes.Usage;
        }
        folder ??= Path.Combine("reports", "audit-membership-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        return TrainingFailures.Guard("swarm audit membership", () =>
        {
            var splits = MedMnist.Load(settings.Dataset);
            var train = splits.Train;
            var needed = (settings.Sites * settings.MembersPerSite) + settings.NonMembers;
            if (needed > train.Count)
            {
                Console.Error.WriteLine($"swarm audit membership: {settings.Sites} sites of {settings.MembersPerSite} images and {settings.NonMembers} non-members need {needed} training images; {settings.Dataset} has {train.Count}");
                return ExitCodes.Usage;
            }
            TorchRuntime.SetThreads(settings.Threads);
            var batch = Math.Max(1, settings.MembersPerSite / 4);
            var dp = new DpOptions(settings.ClipNorm, settings.NoiseMultiplier, (double)batch / settings.MembersPerSite);
            var runs = new List<(string Mode, int Seed, SwarmMembershipOutcome Outcome)>();
            foreach (var seed in settings.Seeds)
            {
                foreach (var (mode, privacy) in new[] { ("plain", (DpOptions?)null), ("local DP-SGD", dp) })
                {
                    var run = new SwarmMembershipSettings(settings.Sites, settings.MembersPerSite, settings.NonMembers, settings.Rounds,
                        settings.LocalEpochs, Dp: privacy, BatchSize: batch, Seed: seed);
                    var outcome = SwarmMembershipInference.Run(
                        () => TorchTrainer.Create("smallcnn", train.Channels, train.Classes, train.Height, (ulong)(seed * 11)), splits, run);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"seed {seed}, {mode}: global model AUC {outcome.GlobalModelAuc:F3}, site update AUC {outcome.SiteUpdateAuc:F3}, mean of sites AUC {outcome.SumOfSitesAuc:F3}, test AUC {outcome.GlobalTestAuc:F3}{(outcome.Epsilon is { } e ? $", ε {e:F2}" : "")}"));
                    runs.Add((mode, seed, outcome));
                }
            }
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "membership.md"), MembershipReport(settings, dp, runs));
            Console.WriteLine($"report: {Path.GetFullPath(folder)}");
            return ExitCodes.Ok;
        });
    }

    private static string MembershipReport(MembershipAuditSettings settings, DpOptions dp,
        List<(string Mode, int Seed, SwarmMembershipOutcome Outcome)> runs)
    {
        var c = CultureInfo.InvariantCulture;
        string Cell(IEnumerable<double> values)
        {
            var s = SeedSummary.Of(values);
            return s.Count > 1
                ? string.Create(c, $"{s.Mean:F3} ± {s.StandardDeviation:F3} [{s.Low:F3}, {s.High:F3}]")
                : string.Create(c, $"{s.Mean:F3}");
        }
        var text = new System.Text.StringBuilder();
        text.AppendLine("# Membership inference inside a swarm run");
        text.AppendLine();
        text.AppendLine(string.Create(c, $"{settings.Dataset}, SmallCnn, {settings.Sites} sites of {settings.MembersPerSite} training images, {settings.NonMembers} non-members, FedAvg over {settings.Rounds} rounds of {settings.LocalEpochs} local epochs (Adam 1e-3, batch {Math.Max(1, settings.MembersPerSite / 4)}), seeds {string.Join(", ", settings.Seeds)}. Attack AUC of members against non-members, compared class by class (0.5: the attacker learns nothing); mean ± sd over seeds with the 95 % Student-t interval."));
        text.AppendLine();
        text.AppendLine("| attack on | " + string.Join(" | ", runs.Select(r => r.Mode).Distinct()) + " |");
        text.AppendLine("|---|" + string.Concat(runs.Select(r => r.Mode).Distinct().Select(_ => "---|")));
        var modes = runs.Select(r => r.Mode).Distinct().ToList();
        void Row(string name, Func<SwarmMembershipOutcome, double> value) =>
            text.AppendLine($"| {name} | " + string.Join(" | ", modes.Select(m => Cell(runs.Where(r => r.Mode == m).Select(r => value(r.Outcome))))) + " |");
        Row("final global model (loss threshold, all sites' members)", o => o.GlobalModelAuc);
        Row("site 0's last published update (loss drop from w to w + Δ, its members)", o => o.SiteUpdateAuc);
        Row("mean of all sites' last updates (what secure aggregation or secret sharing leaves)", o => o.SumOfSitesAuc);
        Row("global model's test AUC (utility)", o => o.GlobalTestAuc);
        text.AppendLine();
        var epsilon = runs.Select(r => r.Outcome.Epsilon).FirstOrDefault(e => e is not null);
        text.AppendLine(string.Create(c, $"Local DP-SGD at every site: σ = {dp.NoiseMultiplier}, C = {dp.ClipNorm}, q = {dp.SamplingRate:G3}; each site's ε = {epsilon:F2} at δ = 1e-5 (RDP accountant). The noise comes from the OS CSPRNG, as at a site, so DP runs do not repeat bit for bit."));
        text.AppendLine();
        text.AppendLine("Per seed:");
        text.AppendLine();
        text.AppendLine("| seed | mode | global model | site update | mean of sites | test AUC |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var (mode, seed, o) in runs)
        {
            text.AppendLine(string.Create(c, $"| {seed} | {mode} | {o.GlobalModelAuc:F3} | {o.SiteUpdateAuc:F3} | {o.SumOfSitesAuc:F3} | {o.GlobalTestAuc:F3} |"));
        }
        return text.ToString();
    }
}
