import io

from somevahti.config.cli import main
from somevahti.publishing.models import Post

from .conftest import jpeg_bytes


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main(["post", *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def text_file(tmp_path, text, name="teksti.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_post_dry_run__shows_findings_and_changes_nothing(channel, platform, tmp_path):
    code, out, err = run("--org", "joroinen", "--channel", channel.key, "--text-file", text_file(tmp_path, "Hetu 131052-308T"), "--dry-run")
    assert code == 1
    assert "BLOCK EMP-CONFIDENTIAL FI_HETU" in out and "dry run" in out
    assert not Post.objects.exists() and platform.posts == {}


def test_post_dry_run__a_clean_text_exits_0(channel, tmp_path):
    code, out, _err = run("--org", "joroinen", "--channel", channel.key, "--text-file", text_file(tmp_path, "Tervetuloa joulutorille!"), "--dry-run")
    assert code == 0 and "INFO CONTENT-IMAGES NO_IMAGE" in out and not Post.objects.exists()


def test_post__publishes_through_the_connector(channel, platform, tmp_path):
    image = tmp_path / "kuva.jpg"
    image.write_bytes(jpeg_bytes())
    code, out, err = run(
        "--org", "joroinen", "--channel", channel.key, "--text-file", text_file(tmp_path, "Tervetuloa joulutorille!"),
        "--image", str(image), "--alt", "Joulukuusi",
    )
    assert code == 0, err
    assert "published https://facebook.example/" in out
    (sent,) = platform.posts.values()
    assert sent.text == "Tervetuloa joulutorille!" and sent.media[0].alt_text == "Joulukuusi"


def test_post__a_block_exits_1_and_saves_nothing(channel, tmp_path):
    code, _out, err = run("--org", "joroinen", "--channel", channel.key, "--text-file", text_file(tmp_path, "Hetu 131052-308T"))
    assert code == 1 and "blocked" in err and not Post.objects.exists()


def test_post__at_schedules(channel, platform, tmp_path):
    code, out, _err = run("--org", "joroinen", "--channel", channel.key, "--text-file", text_file(tmp_path, "Joulutori!"), "--at", "2030-12-01T09:00")
    assert code == 0 and "scheduled for 2030-12-01T09:00:00+02:00" in out
    assert Post.objects.get().state == Post.State.SCHEDULED and platform.posts == {}


def test_post__bad_input_exits_2_naming_the_option(channel, tmp_path):
    good = text_file(tmp_path, "Hei")
    bad_image = tmp_path / "kuva.jpg"
    bad_image.write_text("ei kuva")
    cases = [
        (("--org", "ei-ole", "--channel", channel.key, "--text-file", good), "--org"),
        (("--org", "joroinen", "--channel", "ei-ole", "--text-file", good), "--channel"),
        (("--org", "joroinen", "--channel", channel.key, "--text-file", str(tmp_path / "puuttuu.txt")), "--text-file"),
        (("--org", "joroinen", "--channel", channel.key, "--text-file", good, "--image", str(bad_image), "--alt", "x"), "--image"),
        (("--org", "joroinen", "--channel", channel.key, "--text-file", good, "--image", str(bad_image)), "--alt"),
        (("--org", "joroinen", "--channel", channel.key, "--text-file", good, "--at", "huomenna"), "--at"),
        (("--org", "joroinen", "--channel", channel.key, "--text-file", good, "--at", "2020-01-01T09:00"), "--at"),
    ]
    for args, option in cases:
        code, _out, err = run(*args)
        assert code == 2 and option in err, (args, err)
    assert not Post.objects.exists()
