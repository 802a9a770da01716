using Swarm.Learning.Data;
using Swarm.Node.Configuration;
using Swarm.Node.Simulation;
using Swarm.Node.Tasks;
using Swarm.Tests.Configuration;

namespace Swarm.Tests.Tasks;

public sealed class TaskSettingsTests
{
    private const string WithData = NodeConfig.Minimal + """
        policy {
          allowed-datasets = [pneumoniamnist, breastmnist]
          max-rounds = 50
          require-differential-privacy = true
          max-partial-share = 0.25
          privacy-budget-epsilon = 4.5
          privacy-budget-delta = 1e-5
        }
        data.sets.pneumoniamnist { partition = dirichlet, alpha = 0.5, sites = 4, site-index = 2, seed = 3, train-limit = 400 }
        """;

    [Fact]
    public void The_policy_section_becomes_the_local_policy()
    {
        using var dir = new TempDirectory();

        var policy = SwarmConfiguration.Bind(NodeConfig.Build(dir, WithData)).Policy.ToPolicy();

        Assert.Equal(["pneumoniamnist", "breastmnist"], policy.AllowedDatasets);
        Assert.Equal((50, true, false, 0.25), (policy.MaxRounds, policy.RequireDifferentialPrivacy, policy.RequireSecureAggregation, policy.MaxPartialShareFraction));
        Assert.Equal(new Swarm.Tasks.PrivacyBudget(4.5, 1e-5), policy.Budget);
    }

    [Fact]
    public void The_governance_keys_bind_into_the_policy_and_default_to_automatic_consent_without_restrictions()
    {
        using var dir = new TempDirectory();

        var policy = SwarmConfiguration.Bind(NodeConfig.Build(dir, NodeConfig.Minimal + """
            policy {
              approval = manual
              allowed-submitters = [node-b]
              allowed-co-participants = [node-b, node-c]
              min-participants = 3
              min-batch-size = 32
              max-local-epochs = 2
              allowed-models = [resnet18-gn]
            }
            """)).Policy.ToPolicy();
        var defaults = SwarmConfiguration.Bind(NodeConfig.Build(dir, NodeConfig.Minimal)).Policy.ToPolicy();

        Assert.Equal(Swarm.Tasks.ApprovalMode.Manual, policy.Approval);
        Assert.Equal(["node-b"], policy.AllowedSubmitters);
        Assert.Equal(["node-b", "node-c"], policy.AllowedCoParticipants);
        Assert.Equal(["resnet18-gn"], policy.AllowedModels);
        Assert.Equal((3, 32, 2), (policy.MinParticipants, policy.MinBatchSize, policy.MaxLocalEpochs));
        Assert.Equal(Swarm.Tasks.ApprovalMode.Auto, defaults.Approval);
        Assert.Equal((0, 0, 0), (defaults.AllowedSubmitters.Count, defaults.AllowedCoParticipants.Count, defaults.AllowedModels.Count));
        Assert.Equal((1, 1, 1000), (defaults.MinParticipants, defaults.MinBatchSize, defaults.MaxLocalEpochs));
    }

    [Fact]
    public void An_unknown_approval_mode_is_an_error_naming_the_key()
    {
        using var dir = new TempDirectory();

        var error = NodeConfig.BindFails(dir, NodeConfig.Minimal + "policy.approval = sometimes");

        Assert.Equal("policy.approval", Assert.Single(error.Errors).Key);
    }

    [Fact]
    public void No_privacy_budget_by_default()
    {
        using var dir = new TempDirectory();

        Assert.Null(SwarmConfiguration.Bind(NodeConfig.Build(dir, NodeConfig.Minimal)).Policy.ToPolicy().Budget);
    }

    [Fact]
    public void The_defaults_allow_no_data_set_and_configure_none()
    {
        using var dir = new TempDirectory();

        var settings = SwarmConfiguration.Bind(NodeConfig.Build(dir, NodeConfig.Minimal));

        Assert.Empty(settings.Policy.AllowedDatasets);
        Assert.Empty(settings.Data.Sets);
    }

    [Fact]
    public void The_task_manager_limits_bind_and_a_start_timeout_below_the_consent_timeout_is_an_error()
    {
        using var dir = new TempDirectory();

        var tasks = SwarmConfiguration.Bind(NodeConfig.Build(dir, NodeConfig.Minimal)).Tasks;
        var error = NodeConfig.BindFails(dir, NodeConfig.Minimal + "tasks { consent-timeout = 1m, start-timeout = 30s }");

        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(90), 1024), (tasks.ConsentTimeout, tasks.StartTimeout, tasks.TasksMax));
        Assert.Equal("tasks.start-timeout", Assert.Single(error.Errors).Key);
    }

    [Fact]
    public void A_data_set_entry_binds_with_every_key()
    {
        using var dir = new TempDirectory();

        var set = SwarmConfiguration.Bind(NodeConfig.Build(dir, WithData)).Data.Sets["pneumoniamnist"];

        Assert.Equal((DataPartition.Dirichlet, 0.5, 4, 2, 3, 400), (set.Partition, set.Alpha, set.Sites, set.SiteIndex, set.Seed, set.TrainLimit));
    }

    [Fact]
    public void A_switch_or_variable_overrides_one_key_of_a_data_set_entry()
    {
        using var dir = new TempDirectory();
        var environment = new Dictionary<string, string> { ["SWARM_DATA__SETS__PNEUMONIAMNIST__SEED"] = "11" };

        var set = SwarmConfiguration.Bind(NodeConfig.Build(dir, WithData, ["--data.sets.pneumoniamnist.site-index=3"], environment)).Data.Sets["pneumoniamnist"];

        Assert.Equal((3, 11, 4), (set.SiteIndex, set.Seed, set.Sites));
    }

    [Fact]
    public void A_data_set_entry_missing_a_key_names_it()
    {
        using var dir = new TempDirectory();

        var error = NodeConfig.BindFails(dir, NodeConfig.Minimal + "data.sets.pneumoniamnist { partition = iid, alpha = 1, sites = 2, site-index = 0, seed = 1 }");

        Assert.Equal("data.sets.pneumoniamnist.train-limit", Assert.Single(error.Errors).Key);
    }

    [Fact]
    public void A_site_index_beyond_the_sites_and_an_unknown_set_name_are_errors()
    {
        using var dir = new TempDirectory();

        var error = NodeConfig.BindFails(dir, NodeConfig.Minimal
            + "data.sets.chestmnist { partition = iid, alpha = 1, sites = 2, site-index = 2, seed = 1, train-limit = 0 }");

        Assert.Contains(error.Errors, e => e.Key == "data.sets.chestmnist.site-index");
        Assert.Contains(error.Errors, e => e.Key == "data.sets.chestmnist" && e.Problem.Contains("not a built-in MedMNIST set", StringComparison.Ordinal));
    }

    [Fact]
    public void A_scalar_where_the_allowed_list_belongs_is_an_error()
    {
        using var dir = new TempDirectory();

        var error = NodeConfig.BindFails(dir, NodeConfig.Minimal + "policy.allowed-datasets = pneumoniamnist");

        Assert.Equal("policy.allowed-datasets", Assert.Single(error.Errors).Key);
    }

    [Fact]
    public void A_nodes_share_of_the_hospital_split_is_the_simulations_site_of_the_same_index()
    {
        var splits = Synthetic();
        var set = new DataSetSettings { Partition = DataPartition.Hospital, Alpha = 0.3, Sites = 3, SiteIndex = 2, Seed = 4, TrainLimit = 0 };

        var share = ConfiguredDataSource.Cut(splits, set);

        var options = new SimulationOptions { Sites = 3, Partition = "hospital", Alpha = 0.3, Seed = 4 };
        var site = SiteSplits.Create(splits, options)[2];
        Assert.Equal(site.Train.Labels, share.Train.Labels);
        Assert.Equal(site.Train.Images, share.Train.Images);
    }

    [Fact]
    public void A_nodes_share_is_the_simulations_site_of_the_same_index()
    {
        var splits = Synthetic();
        var set = new DataSetSettings { Partition = DataPartition.Dirichlet, Alpha = 0.5, Sites = 3, SiteIndex = 1, Seed = 9, TrainLimit = 50 };

        var share = ConfiguredDataSource.Cut(splits, set);

        var options = new SimulationOptions { Sites = 3, Partition = "dirichlet", Alpha = 0.5, Seed = 9, TrainLimit = 50 };
        var site = SiteSplits.Create(SiteSplits.Limit(splits, options.TrainLimit), options)[1];
        Assert.Equal(site.Train.Labels, share.Train.Labels);
        Assert.Equal(site.Train.Images, share.Train.Images);
        Assert.Equal(site.Validation.Labels, share.Validation.Labels);
        Assert.Equal(site.Test.Labels, share.Test.Labels);
        Assert.True(share.Train.Count < 50);
    }

    [Fact]
    public void A_data_set_not_configured_is_a_problem_naming_its_key()
    {
        var source = new ConfiguredDataSource(new DataSettings());

        Assert.Equal("data set 'breastmnist' is not configured on this node (data.sets.breastmnist, data.npz.breastmnist or data.images.breastmnist)",
            source.Problem("breastmnist", "smallcnn"));
    }

    private static MedMnistSplits Synthetic()
    {
        ImageDataset Split(int count, int offset) => new("synthetic", 1, 1, 1, 3,
            [.. Enumerable.Range(offset, count).Select(i => (float)i)], [.. Enumerable.Range(0, count).Select(i => (long)(i * 7 % 3))]);
        return new MedMnistSplits(Split(80, 0), Split(30, 1000), Split(30, 2000));
    }
}
