using System.CommandLine;
using System.Globalization;
using Swarm.Learning.Audit;
using Swarm.Learning.Data;
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
        try
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
        }
        catch (DataSetException e)
        {
            Console.Error.WriteLine($"swarm audit inversion: {e.Message}");
            return ExitCodes.Environment;
        }
        catch (TorchException e)
        {
            Console.Error.WriteLine($"swarm audit inversion: {e.Message}");
            return e.Status == TorchStatus.LibraryMissing ? ExitCodes.Environment : ExitCodes.Failure;
        }
    }
}
