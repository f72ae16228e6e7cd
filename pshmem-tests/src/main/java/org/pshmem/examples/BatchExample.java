package org.pshmem.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.TaskBatch;

/**
 * The README's task batch example: workers of one rank take 8 tasks tracked in a folder (the first argument,
 * default a new temporary folder), print what they do, and rank 0 shows the {@code state} files at the end.
 */
public final class BatchExample
{
    private BatchExample()
    {
    }

    /**
     * @param args optional tracking folder.
     * @throws Exception when the tracking folder cannot be read or written.
     */
    public static void main(final String[] args) throws Exception
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final Communicator comm = pshmem.world();
            final String given = pshmem.args().length > 0 ? pshmem.args()[0] : null;
            final Path root = Path.of(comm.broadcast(comm.rank() == 0 ?
                (null != given ? given : Files.createTempDirectory("pshmem-batch-").toString()) : null, 0));
            final List<String> names = new ArrayList<>();
            for (int t = 0; t < 8; t++)
            {
                names.add("task-" + t);
            }
            try (TaskBatch batch = TaskBatch.builder(comm, names.size()).workerSize(1)
                .trackIn(root.resolve("batch"), names).build())
            {
                for (OptionalInt task = batch.nextTask(); task.isPresent(); task = batch.nextTask())
                {
                    final int t = task.getAsInt();
                    final TaskBatch.State result = t % 5 == 4 ? TaskBatch.State.FAILED : TaskBatch.State.DONE;
                    batch.setState(t, result);
                    System.out.println("worker " + batch.worker() + ": task " + t + " " + TaskBatch.State.RUNNING +
                        " -> " + batch.getState(t));
                }
                comm.barrier();
                if (comm.rank() == 0)
                {
                    System.out.println("state files in " + root.resolve("batch") + ":");
                    for (final String name : names)
                    {
                        System.out.print("  " + name + "/state: " +
                            Files.readString(root.resolve("batch").resolve(name).resolve("state")));
                    }
                }
                comm.barrier();
            }
        }
    }
}
