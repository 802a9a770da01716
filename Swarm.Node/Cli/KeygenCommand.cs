using System.CommandLine;
using Swarm.Node.Identity;

namespace Swarm.Node.Cli;

/// <summary><c>swarm keygen</c>: creates the node's ECDSA P-256 key (mode 0600) and self-signed certificate, and
/// prints the fingerprint to pin in the consortium file.</summary>
public static class KeygenCommand
{
    public static Command Create()
    {
        var command = new Command("keygen", "Create this node's key (node.key, owner-only) and self-signed certificate (node.crt).");
        var outDir = new Option<string>("--out") { Description = "Directory for node.key and node.crt.", Required = true };
        var nodeId = new Option<string>("--node-id") { Description = "This node's id (the certificate's CN).", Required = true };
        var years = new Option<int>("--validity-years") { Description = "Certificate validity in years.", DefaultValueFactory = _ => 10 };
        var force = new Option<bool>("--force") { Description = "Replace an existing key (peers must re-pin the new fingerprint)." };
        command.Options.Add(outDir);
        command.Options.Add(nodeId);
        command.Options.Add(years);
        command.Options.Add(force);
        command.SetAction(parse =>
        {
            var id = parse.GetValue(nodeId)!;
            var problem = NodeId.Problem(id);
            if (problem is not null)
            {
                Console.Error.WriteLine($"swarm keygen: --node-id '{id}' {problem}");
                return ExitCodes.Usage;
            }
            if (parse.GetValue(years) < 1)
            {
                Console.Error.WriteLine("swarm keygen: --validity-years must be at least 1");
                return ExitCodes.Usage;
            }
            try
            {
                using var identity = NodeIdentity.Create(id, parse.GetValue(years));
                identity.Save(parse.GetValue(outDir)!, parse.GetValue(force));
                Console.WriteLine($"node id      {identity.NodeId}");
                Console.WriteLine($"key          {Path.Combine(parse.GetValue(outDir)!, NodeIdentity.KeyFileName)} (mode 0600)");
                Console.WriteLine($"certificate  {Path.Combine(parse.GetValue(outDir)!, NodeIdentity.CertificateFileName)}");
                Console.WriteLine($"fingerprint  {identity.Fingerprint}");
                return ExitCodes.Ok;
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"swarm keygen: {e.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
