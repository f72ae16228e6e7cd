package org.pshmem.api;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rule for the names of a {@link TaskBatch}'s task folders: each is one path element inside the tracking
 * folder, so nothing is ever written outside it, and no two tasks share a folder.
 */
final class TaskFolderNames
{
    /** The file of the tracking folder that locks it; no task folder may take its name. */
    static final String LOCK_FILE = ".pshmem-batch.lock";
    private static final int MAX_BYTES = 255; // NAME_MAX of Linux file systems

    private TaskFolderNames()
    {
    }

    /**
     * Returns why the names cannot be task folders, naming the first task at fault.
     *
     * @param names one name per task, in task order.
     * @return the problem, or null when every name is one path element of its own.
     */
    static String problem(final List<String> names)
    {
        final Map<String, Integer> taskByName = new HashMap<>();
        for (int task = 0; task < names.size(); task++)
        {
            final String name = names.get(task);
            final String problem = problem(name);
            if (null != problem)
            {
                return "task " + task + "'s folder name " + (null == name ? "" : quote(name) + " ") + problem +
                    "; a task folder name is one path element, inside the tracking folder";
            }
            final Integer earlier = taskByName.putIfAbsent(name, task);
            if (null != earlier)
            {
                return "tasks " + earlier + " and " + task + " have the same folder name " + quote(name) +
                    "; each task needs a folder of its own";
            }
        }
        return null;
    }

    private static String problem(final String name)
    {
        if (null == name)
        {
            return "is null";
        }
        if (name.isEmpty())
        {
            return "is empty";
        }
        if (name.equals(".") || name.equals(".."))
        {
            return "names no folder of its own";
        }
        if (name.equals(LOCK_FILE))
        {
            return "is the tracking folder's lock file";
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (c == '/' || c == '\\')
            {
                return "contains a path separator";
            }
            if (Character.isISOControl(c))
            {
                return "contains a control character";
            }
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES)
        {
            return "is longer than " + MAX_BYTES + " bytes";
        }
        return null;
    }

    /** @return the name in quotes, control characters shown as escapes, so a message stays on one line. */
    static String quote(final String name)
    {
        final StringBuilder text = new StringBuilder("\"");
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (Character.isISOControl(c))
            {
                text.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                text.append(c);
            }
        }
        return text.append('"').toString();
    }
}
