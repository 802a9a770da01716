using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Swarm.Node.Identity;

namespace Swarm.Node.Cli;

/// <summary><c>swarm consortium init|add|remove|rotate|show</c>: manage the consortium file that pins each member's
/// TLS key and lists its Ed25519 signing key. Every edit adds one to the file's version (docs/operations.md,
/// "Consortium lifecycle").</summary>
public static class ConsortiumCommand
{
    public static Command Create()
    {
        var command = new Command("consortium", "Manage the consortium file: the members, their pinned TLS key fingerprints and their signing keys.");
        command.Subcommands.Add(CreateInit());
        command.Subcommands.Add(CreateAdd());
        command.Subcommands.Add(CreateRemove());
        command.Subcommands.Add(CreateRotate());
        command.Subcommands.Add(CreateShow());
        return command;
    }

    private static Option<string> FileOption() =>
        new("--file") { Description = "The consortium file.", Required = true };

    private static Command CreateInit()
    {
        var command = new Command("init", "Create an empty consortium file.");
        var name = new Option<string>("--name") { Description = "The consortium's name.", Required = true };
        var file = FileOption();
        var force = new Option<bool>("--force") { Description = "Replace an existing file." };
        command.Options.Add(name);
        command.Options.Add(file);
        command.Options.Add(force);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            if (File.Exists(path) && !parse.GetValue(force))
            {
                Console.Error.WriteLine($"swarm consortium init: {path} already exists (use --force to replace it)");
                return ExitCodes.Failure;
            }
            var consortium = new Consortium(parse.GetValue(name)!, [], Version: 1);
            return SaveValid("init", path, consortium);
        });
        return command;
    }

    private static Command CreateAdd()
    {
        var command = new Command("add", "Add a member (id, endpoint, the fingerprint of its TLS key and its Ed25519 signing key).");
        var file = FileOption();
        var id = new Option<string>("--id") { Description = "The member's node id.", Required = true };
        var endpoint = new Option<string>("--endpoint") { Description = "HOST:PORT where the member listens.", Required = true };
        var cert = new Option<string>("--cert") { Description = "The member's TLS certificate (PEM); its key is pinned." };
        var fingerprint = new Option<string>("--fingerprint") { Description = "The member's TLS key fingerprint (hex), instead of --cert." };
        var signingKey = new Option<string>("--signing-key")
        {
            Description = $"The member's Ed25519 public key file ({NodeIdentity.SigningPublicKeyFileName}, PEM, as swarm keygen writes it).",
            Required = true,
        };
        foreach (var option in new Option[] { file, id, endpoint, cert, fingerprint, signingKey })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var certPath = parse.GetValue(cert);
            var hex = parse.GetValue(fingerprint);
            if ((certPath is null) == (hex is null))
            {
                Console.Error.WriteLine("swarm consortium add: give exactly one of --cert PATH or --fingerprint HEX");
                return ExitCodes.Usage;
            }
            var pinned = certPath is null ? hex!.ToLowerInvariant() : null;
            return Edit("add", parse.GetValue(file)!, consortium => consortium.With(new ConsortiumMember(parse.GetValue(id)!,
                parse.GetValue(endpoint)!, pinned ?? PinOf(certPath!), MemberKeys.ReadPublicKeyFile(parse.GetValue(signingKey)!))));
        });
        return command;
    }

    private static string PinOf(string certPath)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certPath));
        if (certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow)
        {
            throw new ConsortiumFormatException($"{certPath}: the certificate expired on {certificate.NotAfter.ToUniversalTime():u}; peers refuse it " +
                "(create a new one with swarm keygen)");
        }
        return Fingerprint.Of(certificate);
    }

    private static Command CreateRemove()
    {
        var command = new Command("remove", "Remove a member (a node that left, or whose keys are compromised); nodes that reload the file refuse it.");
        var file = FileOption();
        var id = new Option<string>("--id") { Description = "The member's node id.", Required = true };
        command.Options.Add(file);
        command.Options.Add(id);
        command.SetAction(parse => Edit("remove", parse.GetValue(file)!, consortium =>
            consortium.Without(parse.GetValue(id)!) ?? throw new ConsortiumFormatException($"'{parse.GetValue(id)}' is not a member of consortium '{consortium.Name}'")));
        return command;
    }

    private static Command CreateRotate()
    {
        var command = new Command("rotate", "Replace a member's pinned TLS key, signing key or endpoint (key rotation); the other fields stay.");
        var file = FileOption();
        var id = new Option<string>("--id") { Description = "The member's node id.", Required = true };
        var endpoint = new Option<string>("--endpoint") { Description = "A new HOST:PORT." };
        var cert = new Option<string>("--cert") { Description = "The member's new TLS certificate (PEM); its key is pinned." };
        var fingerprint = new Option<string>("--fingerprint") { Description = "The member's new TLS key fingerprint (hex), instead of --cert." };
        var signingKey = new Option<string>("--signing-key") { Description = $"The member's new Ed25519 public key file ({NodeIdentity.SigningPublicKeyFileName})." };
        foreach (var option in new Option[] { file, id, endpoint, cert, fingerprint, signingKey })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            if (parse.GetValue(cert) is not null && parse.GetValue(fingerprint) is not null)
            {
                Console.Error.WriteLine("swarm consortium rotate: give at most one of --cert PATH or --fingerprint HEX");
                return ExitCodes.Usage;
            }
            if (parse.GetValue(cert) is null && parse.GetValue(fingerprint) is null && parse.GetValue(signingKey) is null && parse.GetValue(endpoint) is null)
            {
                Console.Error.WriteLine("swarm consortium rotate: nothing to change (give --cert or --fingerprint, --signing-key, or --endpoint)");
                return ExitCodes.Usage;
            }
            return Edit("rotate", parse.GetValue(file)!, consortium =>
            {
                var memberId = parse.GetValue(id)!;
                var old = consortium.Find(memberId) ?? throw new ConsortiumFormatException($"'{memberId}' is not a member of consortium '{consortium.Name}'");
                var rotated = old with
                {
                    Endpoint = parse.GetValue(endpoint) ?? old.Endpoint,
                    Fingerprint = parse.GetValue(cert) is { } path ? PinOf(path) : parse.GetValue(fingerprint)?.ToLowerInvariant() ?? old.Fingerprint,
                    SigningKey = parse.GetValue(signingKey) is { } keyPath ? MemberKeys.ReadPublicKeyFile(keyPath) : old.SigningKey,
                };
                return consortium.Replacing(rotated)!;
            });
        });
        return command;
    }

    /// <summary>Loads the file, applies <paramref name="change"/> and saves the result if it is valid.</summary>
    private static int Edit(string verb, string path, Func<Consortium, Consortium> change)
    {
        try
        {
            return SaveValid(verb, path, change(ConsortiumFile.Load(path)));
        }
        catch (Exception e) when (e is IOException or ConsortiumFormatException or CryptographicException)
        {
            Console.Error.WriteLine($"swarm consortium {verb}: {e.Message}");
            return ExitCodes.Config;
        }
    }

    private static Command CreateShow()
    {
        var command = new Command("show", "Print the consortium and check it.");
        var file = FileOption();
        command.Options.Add(file);
        command.SetAction(parse =>
        {
            try
            {
                var consortium = ConsortiumFile.Load(parse.GetValue(file)!);
                Console.WriteLine($"consortium {consortium.Name}: {consortium.Members.Count} member(s), version {consortium.Version}, digest {consortium.Digest}");
                foreach (var m in consortium.Members)
                {
                    Console.WriteLine($"  {m.Id,-16} {m.Endpoint,-24} {m.Fingerprint}  {m.SigningKey}");
                }
                return ReportProblems("show", consortium.Validate()) ? ExitCodes.Config : ExitCodes.Ok;
            }
            catch (Exception e) when (e is IOException or ConsortiumFormatException)
            {
                Console.Error.WriteLine($"swarm consortium show: {e.Message}");
                return ExitCodes.Config;
            }
        });
        return command;
    }

    private static int SaveValid(string verb, string path, Consortium consortium)
    {
        if (ReportProblems(verb, consortium.Validate()))
        {
            return ExitCodes.Config;
        }
        ConsortiumFile.Save(path, consortium);
        Console.WriteLine($"{path}: consortium {consortium.Name}, {consortium.Members.Count} member(s), version {consortium.VersionLabel}");
        return ExitCodes.Ok;
    }

    private static bool ReportProblems(string verb, IReadOnlyList<string> problems)
    {
        foreach (var problem in problems)
        {
            Console.Error.WriteLine($"swarm consortium {verb}: {problem}");
        }
        return problems.Count > 0;
    }
}
