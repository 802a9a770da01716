using Swarm.Node.Cli;

return SwarmCli.Run(args);
