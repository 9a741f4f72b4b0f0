"""Operators read `flask --help` and start-up refusals in Bahasa Indonesia,
like `flask akun` and `flask petugas`."""

import pytest

from webapp import create_app

HELP = {
    "load-regions": "Memuat semua provinsi",
    "seed-demo": "Membuat data penerima sintetis",
    "captcha-voices": "Merekam angka",
    "setup": "Menyiapkan semua yang diperlukan",
    "backup": "Mencadangkan basis data",
    "restore": "Memulihkan arsip",
    "init-db": "Membuat tabel",
    "purge": "Menghapus draf kedaluwarsa",
    "sweep-uploads": "Menghapus berkas unggahan",
}
ENGLISH = ("Loads all", "Generates a", "Records the", "Everything a first", "Backs up", "Restores a",
           "Creates the", "Deletes", "Removes")


def test_the_command_list_reads_indonesian(runner):
    result = runner.invoke(args=["--help"])
    assert result.exit_code == 0
    for words in ENGLISH:
        assert words not in result.output


@pytest.mark.parametrize("command", sorted(HELP))
def test_each_command_help_reads_indonesian(runner, command):
    result = runner.invoke(args=[command, "--help"])
    assert result.exit_code == 0, result.output
    assert HELP[command] in " ".join(result.output.split())
    for line in result.output.splitlines():
        if line.strip().startswith("--") and "--help" not in line:
            assert len(line.split(None, 1)) == 2, f"an option without help: {line!r}"


def test_the_known_captcha_answer_refusal_reads_indonesian(tmp_path):
    with pytest.raises(RuntimeError, match="menolak berjalan") as refused:
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "CAPTCHA_TEST_ANSWER": "ABCDE"})
    assert "CAPTCHA_TEST_ANSWER" in str(refused.value)


def test_the_demo_generator_without_regions_says_what_to_run(app, monkeypatch):
    from webapp.registry import demo

    monkeypatch.setattr(demo, "ANCHOR_KECAMATAN", ("99.99.99",))  # no such kecamatan: no desa
    with app.app_context(), pytest.raises(RuntimeError, match="jalankan `flask load-regions`"):
        demo.Generator(1).pick_desa(10)
